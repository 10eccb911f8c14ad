// Staging runs caught mid-way, for the atomicity and interruption tests: archives big enough to stop inside,
// a previously staged root that must survive, and waits bounded in time.
import {readFile} from 'node:fs/promises'
import {join} from 'node:path'

import * as assert from 'uvu/assert'

import {stage} from '../../src/stage/stage.js'
import {type CliResult, startCli} from './cli.js'
import {makeOsTree, tarTree} from './os-tree.js'
import {scratchDir} from './scratch.js'
import {type TestLocations, assertStaged, entriesOf, locationFlags, readRecordFile} from './staging.js'

export interface Archives {
  dir: string
  plain: Buffer
  zstd: Buffer
}

/** A scratch dir with an OS tree as a plain and a zstd archive, and a tree 'previous' to stage first. */
export async function stagingArena(label: string): Promise<Archives> {
  const dir = await scratchDir(label)
  const tree = join(dir, 'os')
  // big enough that half of it is well past the first members and the decompressor's buffers
  await makeOsTree(tree, {files: {'usr/share/filler.bin': Buffer.alloc(4 * 1024 * 1024, 1)}})
  await tarTree(tree, join(dir, 'os.tar'))
  await tarTree(tree, join(dir, 'os.tar.zst'), 'zstd')
  await makeOsTree(join(dir, 'previous'), {osRelease: 'ID=previous\n'})
  return {dir, plain: await readFile(join(dir, 'os.tar')), zstd: await readFile(join(dir, 'os.tar.zst'))}
}

export async function waitFor(what: string, condition: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

export async function temporaries(locations: TestLocations): Promise<string[]> {
  return (await entriesOf(join(locations.stateDir, 'store'))).filter((name) => name.startsWith('.tmp-'))
}

/** Starts `nextroot stage -` and feeds it `head` of an archive, keeping stdin open: it is mid-way. */
export async function stageMidway(locations: TestLocations, archive: Buffer, extra: string[] = []) {
  const started = await startCli(['stage', '-', '--json', ...extra, ...locationFlags(locations)])
  started.child.stdin.on('error', () => undefined)
  started.child.stdin.write(archive.subarray(0, Math.floor(archive.length / 2)))
  try {
    await waitFor('the extraction to start', async () => (await temporaries(locations)).length > 0)
  } catch (error) {
    started.child.kill('SIGKILL')
    throw error
  }

  return started
}

export async function stagePrevious(dir: string, locations: TestLocations): Promise<string> {
  const {record} = await stage({source: join(dir, 'previous'), ...locations})
  return record.id
}

export async function assertPreviousKept(locations: TestLocations, previousId: string): Promise<void> {
  await assertStaged(locations, 'previous')
  assert.is((await readRecordFile(locations))?.id, previousId)
  assert.equal(await temporaries(locations), [])
}

/** The interrupted run exited 10 with NR_INTERRUPTED and left the previously staged root in place. */
export async function assertInterrupted(
  result: CliResult,
  locations: TestLocations,
  previousId: string,
): Promise<void> {
  assert.is(result.exitCode, 10, result.stdout + result.stderr)
  assert.is(result.json?.error?.code, 'NR_INTERRUPTED')
  await assertPreviousKept(locations, previousId)
}
