// Gathers what the sanity rules need to know about a candidate root tree (reads only, never judges).
import {open, readdir, stat} from 'node:fs/promises'

import {unlessAbsent} from '../absent.js'
import {identityOf} from '../host/devices.js'
import {type OsRelease, parseOsRelease} from './os-release.js'
import {resolveInTree} from './tree-path.js'

export interface ElfIdentity {
  /** EI_CLASS: 1 = 32-bit, 2 = 64-bit. */
  elfClass: number
  /** e_machine (62 = x86-64, 183 = AArch64, ...). */
  machine: number
}

export interface TreeFacts {
  osRelease?: OsRelease
  osReleasePath?: string
  /** usr/lib/systemd/systemd resolved inside the tree; its ELF identity when it is an ELF file. */
  init: {present: boolean; elf?: ElfIdentity}
  /** Kernel versions with a modules directory (usr/lib/modules/VERSION). */
  kernelModules: string[]
  /** "dev:ino" of the tree's root directory. */
  rootId: string
}

export const INIT_PATH = 'usr/lib/systemd/systemd'
const OS_RELEASE_PATHS = ['etc/os-release', 'usr/lib/os-release']

/** The tree holds etc/os-release or usr/lib/os-release: systemd switches into it (path_is_os_tree()). */
export async function isOsTree(tree: string): Promise<boolean> {
  for (const candidate of OS_RELEASE_PATHS)
    if ((await resolveInTree(tree, candidate)) !== undefined) return true
  return false
}

export function parseElfIdentity(header: Buffer): ElfIdentity | undefined {
  if (header.length < 20 || header.readUInt32BE(0) !== 0x7f454c46) return undefined
  const littleEndian = header[5] === 1
  return {elfClass: header[4], machine: littleEndian ? header.readUInt16LE(18) : header.readUInt16BE(18)}
}

async function readElfIdentity(path: string): Promise<ElfIdentity | undefined> {
  const handle = await open(path, 'r')
  try {
    const {buffer, bytesRead} = await handle.read(Buffer.alloc(20), 0, 20, 0)
    return parseElfIdentity(buffer.subarray(0, bytesRead))
  } finally {
    await handle.close()
  }
}

/** os-release is small text: a FIFO, a device or a huge file in an untrusted tree must not hang us. */
const OS_RELEASE_MAX = 64 * 1024

async function readOsRelease(path: string): Promise<string | undefined> {
  if (!(await stat(path)).isFile()) return undefined
  const handle = await open(path, 'r')
  try {
    const {buffer, bytesRead} = await handle.read(Buffer.alloc(OS_RELEASE_MAX), 0, OS_RELEASE_MAX, 0)
    return buffer.subarray(0, bytesRead).toString('utf8')
  } finally {
    await handle.close()
  }
}

/** The tree's os-release (etc/ first, then usr/lib/, as systemd reads it) and where it was found. */
export async function osReleaseOf(tree: string): Promise<{osRelease: OsRelease; path: string} | undefined> {
  for (const candidate of OS_RELEASE_PATHS) {
    const path = await resolveInTree(tree, candidate)
    const text = path && (await unlessAbsent(path, readOsRelease(path)))
    if (text !== undefined) return {osRelease: parseOsRelease(text), path: candidate}
  }

  return undefined
}

export async function gatherTreeFacts(tree: string): Promise<TreeFacts> {
  const found = await osReleaseOf(tree)
  const initPath = await resolveInTree(tree, INIT_PATH)
  const initIsFile = initPath ? (await unlessAbsent(initPath, stat(initPath)))?.isFile() === true : false
  const init = {present: initIsFile, elf: initIsFile ? await readElfIdentity(initPath as string) : undefined}
  const modulesDir = await resolveInTree(tree, 'usr/lib/modules')
  const kernelModules = ((modulesDir && (await unlessAbsent(modulesDir, readdir(modulesDir)))) || []).sort()
  return {
    osRelease: found?.osRelease,
    osReleasePath: found?.path,
    init,
    kernelModules,
    rootId: await identityOf(tree),
  }
}
