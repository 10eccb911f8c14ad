// Per-test locations for staging (never the real /run/nextroot or /var/lib/nextroot) and checks on the outcome.
import {lstat, readdir, readFile} from 'node:fs/promises'
import {join} from 'node:path'

import * as assert from 'uvu/assert'

import {type StagedRecord, treeOf} from '../../src/state/record.js'

export interface TestLocations {
  nextroot: string
  stateDir: string
}

let counter = 0

/** A fresh nextroot path and state directory inside `dir` (both absent until staging creates them). */
export function locationsIn(dir: string): TestLocations {
  counter++
  return {nextroot: join(dir, `nextroot-${counter}`), stateDir: join(dir, `state-${counter}`)}
}

/** --root, --state-dir and --nextroot all inside `dir` (host/, state/, next/), for CLI runs. */
export function scratchPathFlags(dir: string): string[] {
  return ['--root', join(dir, 'host'), '--state-dir', join(dir, 'state'), '--nextroot', join(dir, 'next')]
}

/** The same locations as CLI flags. */
export function locationFlags(locations: TestLocations): string[] {
  return ['--nextroot', locations.nextroot, '--state-dir', locations.stateDir]
}

export async function entriesOf(dir: string): Promise<string[]> {
  return (await readdir(dir).catch(() => [] as string[])).sort()
}

export async function readRecordFile(locations: TestLocations): Promise<StagedRecord | undefined> {
  const text = await readFile(join(locations.stateDir, 'staged.json'), 'utf8').catch(() => undefined)
  return text === undefined ? undefined : (JSON.parse(text) as StagedRecord)
}

/** Nothing at all is at the nextroot path: a plain reboot stays a full one, a raw soft reboot a restart. */
export async function assertNothingAtNextroot(locations: TestLocations): Promise<void> {
  const there = await lstat(locations.nextroot).then(
    () => true,
    () => false,
  )
  assert.not.ok(there, `${locations.nextroot} exists: staging must leave nothing there`)
}

/** The record names a tree whose os-release has `id`, and nothing is at the nextroot path. */
export async function assertStaged(locations: TestLocations, id: string): Promise<void> {
  const record = await readRecordFile(locations)
  assert.ok(record, 'no staged record')
  const osRelease = await readFile(join(treeOf(record), 'etc/os-release'), 'utf8')
  assert.match(osRelease, new RegExp(`^ID=${id}$`, 'm'))
  await assertNothingAtNextroot(locations)
}

/** Nothing staged: nothing at the nextroot path, no record, an empty store and no private mounts. */
export async function assertNothingStaged(locations: TestLocations): Promise<void> {
  await assertNothingAtNextroot(locations)
  assert.is(await readRecordFile(locations), undefined, 'a record was left')
  assert.equal(await entriesOf(join(locations.stateDir, 'store')), [], 'the store is not empty')
  assert.equal(await entriesOf(join(locations.stateDir, 'mnt')), [], 'a private mount point was left')
}
