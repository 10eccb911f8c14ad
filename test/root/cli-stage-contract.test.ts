// The CLI's contract for the commands that change the staged root (root only): the --json envelope of stage,
// status and unstage on success and on each kind of failure, the same exit code in both modes, and
// NR_NOT_ROOT for an unprivileged user. test/unit/cli-contract.test.ts covers every command's flags and help.
import {chmod, mkdir, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {test} from 'uvu'
import * as assert from 'uvu/assert'

import {type CliOptions, type CliResult, runCli} from '../helpers/cli.js'
import {makeOsTree, tarTree} from '../helpers/os-tree.js'
import {removeScratch, scratchDir} from '../helpers/scratch.js'
import {type TestLocations, assertNothingStaged, locationFlags, locationsIn} from '../helpers/staging.js'
import {packArchive} from '../helpers/tar-craft.js'

let dir = ''
let tree = ''
let archive = ''
let unsafe = ''

test.before(async () => {
  dir = await scratchDir('cli')
  await chmod(dir, 0o755)
  tree = join(dir, 'os')
  await makeOsTree(tree)
  archive = join(dir, 'os.tar')
  await tarTree(tree, archive)
  unsafe = join(dir, 'unsafe.tar')
  await writeFile(unsafe, await packArchive([[{name: '../escape', type: 'file'}, 'x']]))
})

test.after(async () => {
  await removeScratch(dir)
})

function assertEnvelope(run: CliResult, command: string, ok: boolean): void {
  const json = run.json
  assert.ok(json, `not a JSON document on stdout:\n${run.stdout}\n${run.stderr}`)
  assert.is(json?.schemaVersion, 1)
  assert.is(json?.command, command)
  assert.is(json?.ok, ok)
  if (ok) {
    assert.ok('result' in (json ?? {}))
    assert.not.ok('error' in (json ?? {}))
  } else {
    assert.not.ok('result' in (json ?? {}))
    assert.equal(Object.keys(json?.error ?? {}).sort(), ['code', 'details', 'exitCode', 'hints', 'message'])
    assert.match(json?.error?.code ?? '', /^NR_[A-Z_]+$/)
    assert.is(json?.error?.exitCode, run.exitCode)
  }
}

/** Runs a command in human and in --json mode; both must exit with `exitCode`; returns both runs. */
async function bothModes(args: string[], exitCode: number, options?: CliOptions) {
  const human = await runCli(args, options)
  const json = await runCli([...args, '--json'], options)
  assert.is(human.exitCode, exitCode, `human mode: ${human.stderr}`)
  assert.is(json.exitCode, exitCode, `--json mode: ${json.stdout}`)
  assert.is(human.json, undefined, 'human mode printed JSON')
  if (exitCode !== 0) assert.match(human.stderr, /^nextroot: error NR_[A-Z_]+: /m)
  return {human, json}
}

test('--json: stage, status and unstage print the envelope on success', async () => {
  const locations = locationsIn(dir)
  const staged = await runCli(['stage', archive, '--json', ...locationFlags(locations)])
  assertEnvelope(staged, 'stage', true)
  assert.is(staged.exitCode, 0)
  assert.is(staged.json?.result.record.kind, 'archive')
  const shown = await runCli(['status', '--json', ...locationFlags(locations)])
  assertEnvelope(shown, 'status', true)
  assert.is(shown.json?.result.staged.id, staged.json?.result.record.id)
  assert.equal([shown.json?.result.state, shown.json?.result.nextroot.entry], ['staged', {kind: 'absent'}])
  const unstaged = await runCli(['unstage', '--json', ...locationFlags(locations)])
  assertEnvelope(unstaged, 'unstage', true)
  assert.is(unstaged.json?.result.removed.id, staged.json?.result.record.id)
  await assertNothingStaged(locations)
})

test('success: exit 0 in both modes, and human output is text', async () => {
  const locations = locationsIn(dir)
  const {human} = await bothModes(['stage', archive, ...locationFlags(locations)], 0)
  assert.match(human.stdout, /^Staged Test OS 42 \(IMAGE_VERSION 42\.1\)\n/)
  assert.match(human.stdout, /A plain reboot stays a full reboot/)
  await bothModes(['status', ...locationFlags(locations)], 0)
  const unstaged = await bothModes(['unstage', ...locationFlags(locations)], 0)
  assert.match(unstaged.human.stdout, /^Withdrew /)
  // the human run withdrew it; the --json run then finds nothing staged and still succeeds
  assert.equal(unstaged.json.json?.result, {disarmed: [], warnings: []})
  await assertNothingStaged(locations)
})

test('stage without SOURCE is a usage error', async () => {
  const locations = locationsIn(dir)
  const {json} = await bothModes(['stage', ...locationFlags(locations)], 2)
  assert.is(json.json?.error?.code, 'NR_USAGE')
})

const failures: Array<[string, (l: TestLocations) => string[], string, number]> = [
  [
    'a digest mismatch',
    (l) => ['stage', archive, '--sha256', '0'.repeat(64), ...locationFlags(l)],
    'NR_DIGEST_MISMATCH',
    6,
  ],
  ['an unsafe archive', (l) => ['stage', unsafe, ...locationFlags(l)], 'NR_UNSAFE_PATH', 7],
  [
    'a missing source',
    (l) => ['stage', join(dir, 'no-such-image.tar'), ...locationFlags(l)],
    'NR_SOURCE_NOT_FOUND',
    3,
  ],
]
for (const [what, args, code, exitCode] of failures) {
  test(`${what}: ${code}, exit ${exitCode} in both modes`, async () => {
    const locations = locationsIn(dir)
    const {human, json} = await bothModes(args(locations), exitCode)
    assertEnvelope(json, 'stage', false)
    assert.is(json.json?.error?.code, code)
    assert.match(human.stderr, new RegExp(`nextroot: error ${code}: `))
    assert.is(human.stdout, '')
    await assertNothingStaged(locations)
  })
}

test('not root: NR_NOT_ROOT (exit 3) for every command, in both modes', async () => {
  const home = join(dir, 'nobody-home')
  await mkdir(home)
  await chmod(home, 0o777)
  const locations = locationsIn(dir)
  // a state dir only root can read, as stage leaves it
  await mkdir(locations.stateDir, {mode: 0o700})
  const options: CliOptions = {user: {uid: 'nobody', gid: 'nogroup'}, env: {HOME: home}}
  for (const args of [['stage', archive], ['unstage'], ['status']]) {
    const {json} = await bothModes([...args, ...locationFlags(locations)], 3, options)
    assertEnvelope(json, args[0], false)
    assert.is(json.json?.error?.code, 'NR_NOT_ROOT', args[0])
  }

  await assertNothingStaged(locations)
})

test.run()
