// Tests of the survivor rules of `nextroot check` against systemctl show output of surviving units.
import {test} from 'uvu'
import * as assert from 'uvu/assert'

import {survivorRules} from '../../src/check/rules/survivors.js'
import {parseShow} from '../../src/systemd/units.js'
import {codesOf, factsFrom, fixture, unitFileFacts, unitsFrom} from '../helpers/check-facts.js'

const show = fixture('guest-show.txt')

test('correctly configured survivors are only listed', () => {
  const findings = survivorRules(factsFrom(show))
  assert.equal(codesOf(findings), [
    'e2e-bind.service SURVIVOR',
    'e2e-rootdir.service SURVIVOR',
    'e2e-survivor.service SURVIVOR',
  ])
  assert.equal(findings.find((f) => f.unit === 'e2e-survivor.service')!.evidence, {mainPid: 479})
})

test('SurviveFinalKillSignal= under [Service] is found in the unit file, with the hint to move it', () => {
  const facts = factsFrom(show, {
    unitFiles: unitFileFacts('e2e-misplaced.service', fixture('guest-misplaced.service')),
  })
  const [finding] = survivorRules(facts).filter((f) => f.unit === 'e2e-misplaced.service')
  assert.is(finding.code, 'SURVIVOR_SECTION')
  assert.is(finding.severity, 'warning')
  assert.match(finding.message, /\[Service\].*killed by the soft reboot/)
  assert.is(finding.hint, 'Move SurviveFinalKillSignal= to [Unit].')
})

test('system 254 has no survivors, whatever the units say', () => {
  const facts = factsFrom(show)
  assert.equal(survivorRules({...facts, systemd: {...facts.systemd, version: 254}}), [])
})

test('default dependencies, isolation, switch conflicts and missing shutdown ordering are each reported', () => {
  const units = unitsFrom(show)
  const bad = {
    ...units['e2e-survivor.service'],
    DefaultDependencies: ['yes'],
    IgnoreOnIsolate: ['no'],
    Conflicts: ['shutdown.target soft-reboot.target reboot.target'],
    Before: [''],
  }
  const facts = factsFrom(show, {units: {...units, 'e2e-survivor.service': bad}})
  const findings = survivorRules(facts).filter((f) => f.unit === 'e2e-survivor.service')
  assert.equal(codesOf(findings), [
    'e2e-survivor.service SURVIVOR',
    'e2e-survivor.service SURVIVOR_DEFAULT_DEPENDENCIES',
    'e2e-survivor.service SURVIVOR_ISOLATE',
    'e2e-survivor.service SURVIVOR_SHUTDOWN_ORDER',
    'e2e-survivor.service SURVIVOR_STOPPED_BY_SWITCH',
  ])
  const order = findings.find((f) => f.code === 'SURVIVOR_SHUTDOWN_ORDER')!
  assert.equal(order.evidence, {
    missingConflicts: ['kexec.target', 'poweroff.target', 'halt.target'],
    beforeShutdown: false,
  })
  assert.equal(findings.find((f) => f.code === 'SURVIVOR_STOPPED_BY_SWITCH')!.evidence, {
    conflicts: ['shutdown.target', 'soft-reboot.target'],
  })
})

test('a survivor that requires a unit the switch stops, or a mount that umount.target takes, is warned', () => {
  const units = unitsFrom(show)
  const mount = 'run-e2e\\x2dsurvivor\\x2droot.mount'
  const facts = factsFrom(show, {
    units: {
      ...units,
      'e2e-bind.service': {
        ...units['e2e-bind.service'],
        Requires: [`system.slice ${mount} e2e-gone.service`],
      },
      [mount]: {...units[mount], Conflicts: ['umount.target']},
      'e2e-rootdir.service': {
        ...units['e2e-rootdir.service'],
        Wants: ['e2e-gone.service sysinit.target'],
        After: ['e2e-gone.service'],
      },
    },
  })
  const findings = survivorRules(facts).filter((f) => f.code !== 'SURVIVOR')
  assert.equal(codesOf(findings), [
    'e2e-bind.service SURVIVOR_MOUNT_UNMOUNTED',
    'e2e-bind.service SURVIVOR_NEEDS_NON_SURVIVOR',
    'e2e-rootdir.service SURVIVOR_MOUNT_UNMOUNTED',
    'e2e-rootdir.service SURVIVOR_WANTS_NON_SURVIVOR',
  ])
  assert.is(findings.find((f) => f.code === 'SURVIVOR_WANTS_NON_SURVIVOR')!.severity, 'info')
})

test('attached portable services: restarted unless they survive, lost when attached under the old /etc', () => {
  const [portable] = parseShow(
    [
      'Id=app.service',
      'ActiveState=active',
      'FragmentPath=/etc/systemd/system.attached/app.service',
      'DropInPaths=/etc/systemd/system.attached/app.service.d/20-portable.conf',
      'RootImage=/var/lib/portables/app.raw',
      'SurviveFinalKillSignal=no',
    ].join('\n'),
  )
  const facts = factsFrom('', {
    units: {'app.service': portable},
    portables: [{name: 'app', state: 'running'}],
  })
  const findings = survivorRules(facts)
  assert.equal(
    findings[0].evidence?.image,
    {name: 'app', state: 'running'},
    'portablectl list names the image',
  )
  assert.equal(codesOf(findings), ['app.service PORTABLE_ATTACHMENT_LOST', 'app.service PORTABLE_RESTARTED'])
  const runtime = {...portable, FragmentPath: ['/run/systemd/system.attached/app.service']}
  assert.equal(codesOf(survivorRules(factsFrom('', {units: {'app.service': runtime}}))), [
    'app.service PORTABLE_RESTARTED',
  ])
})

test("processes whose argv[0] starts with '@' are listed as escaping the killing spree", () => {
  const facts = factsFrom(show, {
    processes: [{pid: 301, comm: 'mdmon', argv0: '@dmon', unit: 'mdmon@md0.service', held: [], denied: []}],
  })
  const [finding] = survivorRules(facts).filter((f) => f.code === 'SURVIVOR_AT_PROCESS')
  assert.equal(
    [finding.unit, finding.severity, finding.evidence],
    ['mdmon@md0.service', 'info', {pid: 301, argv0: '@dmon'}],
  )
})

test("an '@' argv[0] under User= is a warning: only root's processes escape that way", () => {
  const unit = {Id: ['agent.service'], ActiveState: ['active'], User: ['agent']}
  const facts = factsFrom(show, {
    units: {...factsFrom(show).units, 'agent.service': unit},
    processes: [{pid: 302, comm: 'agent', argv0: '@agent', unit: 'agent.service', held: [], denied: []}],
  })
  const [finding] = survivorRules(facts).filter((f) => f.unit === 'agent.service')
  assert.equal([finding.code, finding.severity], ['SURVIVOR_AT_PROCESS_USER', 'warning'])
  assert.match(finding.message, /User=agent: only root's processes escape/)
})

test('a preserved file descriptor store is reported, as lint reports it', () => {
  const web = {
    Id: ['web.service'],
    ActiveState: ['active'],
    FileDescriptorStoreMax: ['64'],
    FileDescriptorStorePreserve: ['yes'],
  }
  const findings = survivorRules(factsFrom('', {units: {'web.service': web}}))
  assert.equal(codesOf(findings), ['web.service FDSTORE_PRESERVED'])
  const notKept = {...web, FileDescriptorStorePreserve: ['no']}
  assert.equal(codesOf(survivorRules(factsFrom('', {units: {'web.service': notKept}}))), [])
})

test.run()
