// Gathers what `reboot --persist` decides on: the staged tree's btrfs subvolume, the boot's view of /
// (kernel command line, fstab) and whether the carried directories are mounted by fstab on their own.
import {readFile} from 'node:fs/promises'
import {join} from 'node:path'

import {defaultSubvolume, isSubvolume, subvolumeId} from '../host/btrfs.js'
import {mountHolding} from '../host/mounts.js'
import {pathExists} from '../absent.js'
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

export async function gatherPersistFacts(
  tree: string,
  hostRoot: string,
  carryDirs: string[],
): Promise<PersistFacts> {
  const [subvolume, cmdline, fstabText, treeSource, rootSource] = await Promise.all([
    isSubvolume(tree),
    readFile(join(hostRoot, 'proc/cmdline'), 'utf8').catch(() => ''),
    readFile(join(hostRoot, 'etc/fstab'), 'utf8').catch(() => ''),
    mountHolding(tree).then((mount) => mount?.source),
    mountHolding(hostRoot).then((mount) => mount?.source),
  ])
  const fstab = parseFstab(fstabText)
  const mounted = new Set(fstab.map((entry) => entry.mountPoint))
  const present = await Promise.all(carryDirs.map((dir) => pathExists(join(hostRoot, dir))))
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
