// Tests of `nextroot check`'s view of the new root: unit trees resolved as systemd does (links, Wants=, aliases,
// templates, masks, triggers) and the rules on running services that will not come back.
import {mkdir, symlink, writeFile} from 'node:fs/promises'
import {dirname, join} from 'node:path'

import {test} from 'uvu'
import * as assert from 'uvu/assert'

import {newRootRules} from '../../src/check/rules/new-root.js'
import {readUnitTree} from '../../src/check/unit-tree.js'
import {codesOf, factsFrom, fixture, unitsFrom} from '../helpers/check-facts.js'
import {withScratch} from '../helpers/scratch.js'

const show = fixture('guest-show.txt')
const SCENARIO = ['e2e-gone.service', 'e2e-misplaced.service', 'e2e-survivor.service']
/** The guest's other units, present and started in both roots, so only the scenario's units are judged. */
const others = Object.keys(unitsFrom(show)).filter((unit) => !SCENARIO.includes(unit))

async function files(root: string, entries: Record<string, string>): Promise<void> {
  for (const [path, content] of Object.entries(entries)) {
    await mkdir(dirname(join(root, path)), {recursive: true})
    if (content.startsWith('->')) await symlink(content.slice(2), join(root, path))
    else await writeFile(join(root, path), content)
  }
}

const LIB = 'usr/lib/systemd/system'
const ETC = 'etc/systemd/system'

test('readUnitTree follows the default target through links, Wants=, aliases, templates and triggers', async () => {
  await withScratch('unit-tree', async (dir) => {
    const root = join(dir, 'root')
    const host = join(dir, 'host')
    await files(root, {
      [`${LIB}/default.target`]: '->graphical.target',
      [`${LIB}/graphical.target`]: '[Unit]\nWants=display.service\nRequires=multi-user.target\n',
      [`${LIB}/multi-user.target`]: '[Unit]\nDescription=m\n',
      [`${LIB}/display.service`]: '[Service]\nExecStart=/x\n',
      [`${LIB}/getty@.service`]: '[Service]\nExecStart=/x\n',
      [`${LIB}/ssh.service`]: '[Unit]\nWants=%i.service\n[Service]\nExecStart=/x\n',
      [`${LIB}/sshd.service`]: '->ssh.service',
      [`${LIB}/fstrim.timer`]: '[Timer]\nOnCalendar=weekly\n',
      [`${LIB}/fstrim.service`]: '[Service]\nExecStart=/x\n',
      [`${LIB}/web.socket`]: '[Socket]\nListenStream=80\n[Install]\n',
      [`${LIB}/web-backend.service`]: '[Service]\nExecStart=/x\n',
      [`${LIB}/web.socket.d/unit.conf`]: '[Socket]\nService=x\n',
      [`${LIB}/cron.service`]: '[Service]\nExecStart=/x\n',
      [`${ETC}/cron.service`]: '->/dev/null',
      [`${ETC}/multi-user.target.wants/sshd.service`]: '->/usr/lib/systemd/system/ssh.service',
      [`${ETC}/multi-user.target.wants/getty@tty1.service`]: '->/usr/lib/systemd/system/getty@.service',
      [`${ETC}/multi-user.target.wants/cron.service`]: '->/usr/lib/systemd/system/cron.service',
      [`${ETC}/timers.target.wants/fstrim.timer`]: '->/usr/lib/systemd/system/fstrim.timer',
      [`${ETC}/multi-user.target.wants/timers.target`]: '->/usr/lib/systemd/system/timers.target',
      [`${LIB}/timers.target`]: '[Unit]\n',
    })
    await files(host, {
      'run/systemd/system/runtime.service': '[Service]\nExecStart=/x\n',
      // update mode's generator output: the new root has no /system-update, so not its default
      'run/systemd/generator.early/default.target': '->/usr/lib/systemd/system/system-update.target',
    })
    const tree = await readUnitTree(root, host)
    assert.is(tree.defaultTarget, 'graphical.target')
    assert.equal(tree.masked, ['cron.service'])
    assert.ok(tree.present.includes('runtime.service'), "the host's /run is on the search path")
    assert.ok(!tree.present.includes('cron.service'))
    assert.equal(tree.started, [
      'display.service',
      'fstrim.service',
      'fstrim.timer',
      'getty@tty1.service',
      'graphical.target',
      'multi-user.target',
      'ssh.service',
      'timers.target',
    ])
  })
})

test('a tree link pointing into /usr is read inside the tree, never on the host', async () => {
  await withScratch('unit-tree-link', async (dir) => {
    const root = join(dir, 'root')
    await files(root, {
      [`${ETC}/default.target`]: '->/usr/lib/systemd/system/multi-user.target',
      [`${LIB}/multi-user.target`]: '[Unit]\nWants=only-in-tree.service\n',
      [`${LIB}/only-in-tree.service`]: '[Service]\nExecStart=/x\n',
    })
    const tree = await readUnitTree(root, join(dir, 'nohost'))
    assert.equal(tree.started, ['multi-user.target', 'only-in-tree.service'])
  })
})

function trees(current: Partial<Record<'present' | 'started' | 'masked', string[]>>, staged: typeof current) {
  const tree = (root: string, t: typeof current) => ({
    root,
    defaultTarget: 'graphical.target',
    present: t.present ?? [],
    masked: t.masked ?? [],
    started: t.started ?? [],
  })
  return {current: tree('/', current), staged: tree('/run/nextroot', staged)}
}

test('running services the new root lacks, masks, no longer starts or never started are reported', () => {
  const common = [...others, 'e2e-misplaced.service']
  const facts = factsFrom(show, {
    trees: trees(
      {present: [...common, 'e2e-gone.service'], started: [...others, 'e2e-gone.service']},
      {present: common, started: [...others, 'new.service', 'old-off.service']},
    ),
  })
  facts.trees.current.present.push('old-off.service')
  assert.equal(codesOf(newRootRules(facts)), [
    'e2e-gone.service SERVICE_MISSING_IN_NEW_ROOT',
    'e2e-misplaced.service SERVICE_NOT_RESTARTED',
    'new.service SERVICE_NEW',
    'old-off.service SERVICE_ENABLED_IN_NEW_ROOT',
  ])
  const missing = newRootRules(facts)[0]
  assert.is(missing.severity, 'warning')
  assert.equal(missing.evidence, {fragment: '/etc/systemd/system/e2e-gone.service'})
})

test('disabled and masked in the new root are warnings; survivors are not judged here', () => {
  const present = [...others, ...SCENARIO]
  const facts = factsFrom(show, {
    trees: trees(
      {present, started: [...others, 'e2e-gone.service', 'e2e-misplaced.service']},
      {present, masked: ['e2e-misplaced.service'], started: others},
    ),
  })
  const findings = newRootRules(facts)
  assert.equal(codesOf(findings), [
    'e2e-gone.service SERVICE_DISABLED_IN_NEW_ROOT',
    'e2e-misplaced.service SERVICE_MASKED_IN_NEW_ROOT',
  ])
  assert.ok(findings.every((f) => f.severity === 'warning'))
})

test('without a staged tree there is nothing to compare', () => {
  const facts = factsFrom(show)
  assert.equal(newRootRules({...facts, trees: {current: facts.trees.current}}), [])
})

test.run()
