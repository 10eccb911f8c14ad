// Per-test locations for staging (never the real /run/nextroot or /var/lib/nextroot) and checks on the outcome.
import {readdir, readFile} from 'node:fs/promises'
import {join} from 'node:path'

import * as assert from 'uvu/assert'

import {mountAt} from '../../src/host/mounts.js'
import type {StagedRecord} from '../../src/state/record.js'

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

/** The nextroot path is a mount showing an OS tree whose os-release has `id`. */
export async function assertVisible(locations: TestLocations, id: string): Promise<void> {
  assert.ok(await mountAt(locations.nextroot), `${locations.nextroot} is not a mount point`)
  const osRelease = await readFile(join(locations.nextroot, 'etc/os-release'), 'utf8')
  assert.match(osRelease, new RegExp(`^ID=${id}$`, 'm'))
}

/** Nothing staged: no mount at the nextroot path, no record, an empty store and no private mounts. */
export async function assertNothingStaged(locations: TestLocations): Promise<void> {
  assert.not.ok(await mountAt(locations.nextroot), `${locations.nextroot} is still mounted`)
  assert.is(await readRecordFile(locations), undefined, 'a record was left')
  assert.equal(await entriesOf(join(locations.stateDir, 'store')), [], 'the store is not empty')
  assert.equal(await entriesOf(join(locations.stateDir, 'mnt')), [], 'a private mount point was left')
}
