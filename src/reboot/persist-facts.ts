// Gathers what `reboot --persist` decides on: the staged tree's btrfs subvolume, the boot's view of /
// (kernel command line, fstab) and whether the carried directories are mounted by fstab on their own.
import {access, readFile} from 'node:fs/promises'
import {join} from 'node:path'

import {defaultSubvolume, isSubvolume, subvolumeId} from '../host/btrfs.js'
import {readMounts} from '../host/mounts.js'
import type {PersistFacts} from './persist.js'

interface FstabEntry {
  mountPoint: string
  options: string[]
}

export function parseFstab(text: string): FstabEntry[] {
  return text
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim().split(/\s+/))
    .filter((fields) => fields.length >= 4)
    .map(([, mountPoint, , options]) => ({mountPoint, options: options.split(',')}))
}

/** subvol=/subvolid= for / in the kernel's rootflags= or the fstab entry of /. */
export function rootSubvolumeOption(cmdline: string, fstab: FstabEntry[]): string | undefined {
  const rootflags = /(?:^|\s)rootflags=(\S+)/.exec(cmdline)?.[1]?.split(',') ?? []
  const root = fstab.find((entry) => entry.mountPoint === '/')?.options ?? []
  return [...rootflags, ...root].find((option) => /^subvol(id)?=/.test(option))
}

/** The mount that holds `path`: the longest mount point that is a prefix of it. */
async function sourceOf(path: string): Promise<string | undefined> {
  const within = (mountPoint: string) =>
    mountPoint === '/' || path === mountPoint || path.startsWith(`${mountPoint}/`)
  const mounts = (await readMounts()).filter((mount) => within(mount.mountPoint))
  return mounts.sort((a, b) => a.mountPoint.length - b.mountPoint.length).at(-1)?.source
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  )

export async function gatherPersistFacts(
  tree: string,
  hostRoot: string,
  carryDirs: string[],
): Promise<PersistFacts> {
  const [subvolume, cmdline, fstabText, treeSource, rootSource] = await Promise.all([
    isSubvolume(tree),
    readFile(join(hostRoot, 'proc/cmdline'), 'utf8').catch(() => ''),
    readFile(join(hostRoot, 'etc/fstab'), 'utf8').catch(() => ''),
    sourceOf(tree),
    sourceOf(hostRoot),
  ])
  const fstab = parseFstab(fstabText)
  const mounted = new Set(fstab.map((entry) => entry.mountPoint))
  const present = await Promise.all(carryDirs.map((dir) => exists(join(hostRoot, dir))))
  const ids = subvolume ? await Promise.all([subvolumeId(tree), defaultSubvolume(tree)]) : []
  return {
    tree,
    subvolume,
    sameFileSystem: treeSource !== undefined && treeSource === rootSource,
    rootSubvolume: rootSubvolumeOption(cmdline, fstab),
    dirsNotInFstab: carryDirs.filter((dir, i) => present[i] && !mounted.has(dir)),
    subvolumeId: ids[0],
    previousDefault: ids[1],
  }
}
