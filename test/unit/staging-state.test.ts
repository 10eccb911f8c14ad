// The staging state machine (pure): staged, stale, armed and switched are told apart from the facts, and
// anything at /run/nextroot that nextroot did not put there is reported with what it does to reboots.
import {test} from 'uvu'
import * as assert from 'uvu/assert'

import {type NextrootEntry, type StagingFacts, judgeStaging} from '../../src/state/staging.js'
import {STAGED} from '../helpers/check-facts.js'

const ARMED = '/run/nextroot.armed'

const STAGED_NOW: StagingFacts = {
  record: STAGED,
  bootId: STAGED.bootId,
  treePresent: true,
  isRunningRoot: false,
  nextroot: {kind: 'absent'},
  armed: {path: ARMED, mounted: false},
}

const state = (facts: Partial<StagingFacts>) => judgeStaging({...STAGED_NOW, ...facts}).staging

test('staged: the record is of this boot, its tree is there, nothing is at /run/nextroot', () => {
  assert.equal(judgeStaging(STAGED_NOW), {staging: {state: 'staged', record: STAGED}, foreign: undefined})
  assert.equal(state({record: undefined}), {state: 'none'})
})

test('stale: staged before the last full reboot, or its tree is gone', () => {
  assert.equal(state({bootId: 'another boot'}), {state: 'stale', record: STAGED, why: 'rebooted'})
  assert.equal(state({treePresent: false}), {state: 'stale', record: STAGED, why: 'tree-missing'})
  assert.equal(state({bootId: 'another boot', treePresent: false}).state, 'stale')
})

test('armed: /run/nextroot is a symlink to the armed path, and the carried tree is mounted there', () => {
  const link: NextrootEntry = {kind: 'symlink', target: ARMED, osTree: true}
  const armed = judgeStaging({...STAGED_NOW, nextroot: link, armed: {path: ARMED, mounted: true}})
  assert.equal(armed, {staging: {state: 'armed', record: STAGED}, foreign: undefined})
  const dangling = judgeStaging({...STAGED_NOW, nextroot: {...link, osTree: false}})
  assert.is(dangling.staging.state, 'staged', 'the link alone, with nothing mounted, is not armed')
  assert.equal(dangling.foreign?.leftover, true)
})

test('switched: the running root is the staged tree; the symlink a switch leaves is a leftover', () => {
  const link: NextrootEntry = {kind: 'symlink', target: ARMED, osTree: false}
  const switched = judgeStaging({...STAGED_NOW, isRunningRoot: true, nextroot: link})
  assert.is(switched.staging.state, 'switched')
  assert.equal([switched.foreign?.leftover, switched.foreign?.softRebootSwitches], [true, false])
})

test("someone else's tree at /run/nextroot: what it does to plain and soft reboots", () => {
  const foreign = (nextroot: NextrootEntry) => judgeStaging({...STAGED_NOW, nextroot}).foreign
  const mount = foreign({kind: 'mount', source: '/dev/vdz', fsType: 'ext4', osTree: true})
  assert.equal([mount?.hijacksPlainReboot, mount?.softRebootSwitches, mount?.leftover], [true, true, false])
  const dir = foreign({kind: 'directory', empty: false, osTree: true})
  assert.equal([dir?.hijacksPlainReboot, dir?.softRebootSwitches], [false, true], 'not a mount point')
  const link = foreign({kind: 'symlink', target: '/srv/other-root', osTree: true})
  assert.equal([link?.hijacksPlainReboot, link?.softRebootSwitches, link?.leftover], [false, true, false])
  assert.equal(foreign({kind: 'directory', empty: true, osTree: false})?.leftover, true)
  const plain = foreign({kind: 'mount', source: 'tmpfs', fsType: 'tmpfs', osTree: false})
  assert.equal([plain?.hijacksPlainReboot, plain?.leftover], [false, false], 'a mount that is no OS tree')
})

test.run()
