// Gathers the facts staging's state is judged on (state/staging.ts): the record, this boot's ID, whether the
// staged tree is there, and what is at the nextroot path and at the armed path. Reads only.
import {lstat, readFile, readdir, readlink} from 'node:fs/promises'
import {join} from 'node:path'

import {unlessAbsent} from '../absent.js'
import {inodeOf} from '../host/devices.js'
import {mountAt} from '../host/mounts.js'
import type {Locations} from '../locations.js'
import {isOsTree} from '../tree/tree-facts.js'
import {armedPath} from './layout.js'
import {type StagedRecord, readStagedRecord, treeOf} from './record.js'
import {type NextrootEntry, type StagingFacts, type StagingView, judgeStaging} from './staging.js'

/** This boot's kernel boot ID ('' when the root has no /proc, as an image tree or a test's root). */
export async function currentBootId(hostRoot: string): Promise<string> {
  const path = join(hostRoot, 'proc/sys/kernel/random/boot_id')
  return ((await unlessAbsent(path, readFile(path, 'utf8'))) ?? '').trim()
}

/** What is at `path`, without following a symlink there (but following it to tell whether it is an OS tree). */
export async function nextrootEntry(path: string): Promise<NextrootEntry> {
  const stats = await unlessAbsent(path, lstat(path))
  if (!stats) return {kind: 'absent'}
  if (stats.isSymbolicLink())
    return {kind: 'symlink', target: await readlink(path), osTree: await isOsTree(path)}
  if (!stats.isDirectory()) return {kind: 'other'}
  const [mount, osTree] = await Promise.all([mountAt(path), isOsTree(path)])
  if (mount) return {kind: 'mount', source: mount.source, fsType: mount.fsType, osTree}
  return {kind: 'directory', empty: (await readdir(path)).length === 0, osTree}
}

async function treeFacts(record: StagedRecord | undefined, hostRoot: string) {
  if (!record) return {treePresent: false, isRunningRoot: false}
  const tree = treeOf(record)
  const present = record.kind === 'image' ? (await mountAt(tree)) !== undefined : await isOsTree(tree)
  const [here, root] = present ? await Promise.all([inodeOf(tree), inodeOf(hostRoot)]) : []
  return {treePresent: present, isRunningRoot: here !== undefined && here === root}
}

export interface GatheredStaging extends StagingView {
  facts: StagingFacts
  /** False when the state directory is closed to us (not root): what is staged is unknown. */
  stateReadable: boolean
}

export async function gatherStaging(locations: Locations): Promise<GatheredStaging> {
  const armed = armedPath(locations)
  const [{record, readable}, bootId, nextroot, armedMount] = await Promise.all([
    readStagedRecord(locations),
    currentBootId(locations.hostRoot),
    nextrootEntry(locations.nextroot),
    mountAt(armed),
  ])
  const facts: StagingFacts = {
    record,
    bootId,
    ...(await treeFacts(record, locations.hostRoot)),
    nextroot,
    armed: {path: armed, mounted: armedMount !== undefined},
  }
  return {...judgeStaging(facts), facts, stateReadable: readable}
}
