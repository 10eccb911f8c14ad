// The CLI's contract with scripts, for every command in commands/index.ts: --help has EXAMPLES, an unknown
// flag is NR_USAGE (exit 2) in both modes, and one harmless run gives the same exit code in human and --json
// mode with the one envelope (schema version, ok, result or error). Runs as any user.
import {join} from 'node:path'

import {test} from 'uvu'
import * as assert from 'uvu/assert'

import {COMMANDS} from '../../commands/index.js'
import {type CliResult, runCli} from '../helpers/cli.js'
import {makeOsTree} from '../helpers/os-tree.js'
import {removeScratch, scratchDir} from '../helpers/scratch.js'
import {scratchPathFlags} from '../helpers/staging.js'

let dir = ''

test.before(async () => {
  dir = await scratchDir('contract')
  await makeOsTree(join(dir, 'next'))
})

test.after(async () => {
  await removeScratch(dir)
})

/** Every system path in the scratch dir: no run touches the machine's own /run or /var/lib/nextroot. */
const paths = () => scratchPathFlags(dir)

/** For each command, a run that changes nothing on any machine, as root or not. */
const HARMLESS: Record<keyof typeof COMMANDS, () => string[]> = {
  'after-switch': () => ['after-switch', ...paths()],
  apply: () => ['apply', '--dry-run', ...paths()],
  check: () => ['check', ...paths()],
  history: () => ['history', ...paths()],
  hook: () => ['hook', 'apt-packages', ...paths()],
  install: () => ['install', '--root', join(dir, 'no-such-root')],
  lint: () => ['lint', '--no-verify', join(dir, 'next')],
  metrics: () => ['metrics', ...paths()],
  'needs-reboot': () => ['needs-reboot', ...paths()],
  'offline:cancel': () => ['offline', 'cancel', ...paths()],
  'offline:execute': () => ['offline', 'execute', ...paths()],
  'offline:finish': () => ['offline', 'finish', ...paths()],
  'offline:leave': () => ['offline', 'leave', ...paths()],
  'offline:prepare': () => ['offline', 'prepare', join(dir, 'no-such-dir'), ...paths()],
  'offline:status': () => ['offline', 'status', ...paths()],
  plan: () => ['plan', ...paths()],
  reboot: () => ['reboot', '--dry-run', ...paths()],
  restart: () => ['restart', '--dry-run', ...paths()],
  stage: () => ['stage', join(dir, 'no-such-image.tar'), ...paths()],
  status: () => ['status', ...paths()],
  unstage: () => ['unstage', '--state-dir', join(dir, 'no-such-state'), '--nextroot', join(dir, 'no-next')],
}

function assertEnvelope(run: CliResult, command: string): void {
  const json = run.json
  assert.ok(json, `not a JSON document on stdout:\n${run.stdout}\n${run.stderr}`)
  assert.is(json?.schemaVersion, 1)
  assert.is(json?.command, command)
  if (json?.ok) {
    assert.ok('result' in json)
    assert.not.ok('error' in json)
    return
  }

  assert.not.ok('result' in (json ?? {}))
  assert.equal(Object.keys(json?.error ?? {}).sort(), ['code', 'details', 'exitCode', 'hints', 'message'])
  assert.match(json?.error?.code ?? '', /^NR_[A-Z_]+$/)
  assert.is(json?.error?.exitCode, run.exitCode)
}

test('every command has a harmless contract run (a new command must add one)', () => {
  assert.equal(Object.keys(HARMLESS).sort(), Object.keys(COMMANDS).sort())
})

for (const command of Object.keys(COMMANDS) as Array<keyof typeof COMMANDS>) {
  test(`${command} --help has an EXAMPLES section`, async () => {
    const words = command.split(':')
    const run = await runCli([...words, '--help'])
    assert.is(run.exitCode, 0, run.stderr)
    assert.match(run.stdout, /^EXAMPLES$/m)
    assert.match(run.stdout, new RegExp(`\\$ (sudo )?nextroot ${words.join(' ')}`))
  })

  test(`${command}: an unknown flag is NR_USAGE, exit 2 in both modes`, async () => {
    const args = [...HARMLESS[command](), '--no-such-flag']
    const [human, json] = await Promise.all([runCli(args), runCli([...args, '--json'])])
    assert.equal([human.exitCode, json.exitCode], [2, 2], human.stderr)
    assert.match(human.stderr, /^nextroot: error NR_USAGE: /m)
    assertEnvelope(json, command)
    assert.is(json.json?.error?.code, 'NR_USAGE')
  })

  test(`${command}: the same exit code and one envelope in human and --json mode`, async () => {
    const args = HARMLESS[command]()
    const human = await runCli(args)
    const json = await runCli([...args, '--json'])
    assert.is(json.exitCode, human.exitCode, `${human.stderr}\n${json.stdout}`)
    assert.is(human.json, undefined, 'human mode printed JSON')
    assertEnvelope(json, command)
  })
}

test.run()
