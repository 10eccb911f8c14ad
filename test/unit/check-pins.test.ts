// Tests of the pinning rules of `nextroot check`: settings and live processes that keep the old root alive,
// judged by device number (a survivor's paths read like the new root's after the switch).
import {test} from 'uvu'
import * as assert from 'uvu/assert'

import type {UnitPath} from '../../src/check/facts.js'
import {parseMaps} from '../../src/check/processes.js'
import {pinRules} from '../../src/check/rules/pins.js'
import {parseMountInfo} from '../../src/host/mounts.js'
import {OLD_ROOT, codesOf, factsFrom, fixture} from '../helpers/check-facts.js'

const show = fixture('hand-show.txt')

function path(unit: string, setting: string, at: string, device: string): UnitPath {
  return {unit, setting, path: at, optional: false, hostPath: at, device}
}

test('BindPaths= from the root file system pins it; a path on another file system does not', () => {
  const facts = factsFrom(show, {
    paths: [
      path('e2e-bind.service', 'BindPaths', '/var/lib/e2e-bind', '254:0'),
      path('e2e-bind.service', 'RootDirectory', '/run/nextroot-e2e', '0:44'),
      path('e2e-rootdir.service', 'RootDirectory', '/run/nextroot-e2e', '0:44'),
    ],
  })
  const findings = pinRules(facts)
  assert.equal(codesOf(findings), ['e2e-bind.service PINS_OLD_ROOT'])
  const [pin] = findings
  assert.is(pin.severity, 'warning')
  assert.is(
    pin.message,
    'BindPaths=/var/lib/e2e-bind pins /dev/vda (/, 700.0 MiB in use) of the old root while the unit runs.',
  )
  assert.equal(pin.evidence, {
    setting: 'BindPaths',
    path: '/var/lib/e2e-bind',
    device: '254:0',
    source: '/dev/vda',
    fsType: 'ext4',
    mountedAt: '/',
    pinnedBytes: OLD_ROOT.usedBytes,
  })
})

test('EnvironmentFile= on the old root is a note, and units that do not survive are not judged', () => {
  const facts = factsFrom(show, {
    paths: [
      path('e2e-survivor.service', 'EnvironmentFile', '/etc/default/e2e', '254:0'),
      path('e2e-gone.service', 'BindPaths', '/var/lib/x', '254:0'),
    ],
  })
  const findings = pinRules(facts)
  assert.equal(codesOf(findings), ['e2e-survivor.service OLD_ROOT_SETTINGS_FILE'])
  assert.is(findings[0].severity, 'info')
})

test('a survivor process mapping its binary from the old root pins it, whatever the path reads like', () => {
  const maps =
    '5580-5582 r--p 00000000 fe:00 1311 /usr/bin/sleep\n7f00-7f01 r--p 00000000 fe:00 2001 /usr/lib/x86_64-linux-gnu/libc.so.6\n'
  const facts = factsFrom(show, {
    processes: [
      {
        pid: 812,
        comm: 'sleep',
        argv0: '/usr/bin/sleep',
        unit: 'e2e-survivor.service',
        held: [
          {via: 'exe', path: '/usr/bin/sleep', device: '254:0'},
          {via: 'cwd', path: '/', device: '254:0'},
          ...parseMaps(maps),
        ],
      },
      {
        pid: 828,
        comm: 'sleep',
        argv0: '/usr/bin/sleep',
        unit: 'e2e-gone.service',
        held: [{via: 'exe', path: '/usr/bin/sleep', device: '254:0'}],
      },
    ],
  })
  const findings = pinRules(facts)
  assert.equal(codesOf(findings), ['e2e-survivor.service PINS_OLD_ROOT'])
  assert.match(
    findings[0].message,
    /^PID 812 \(sleep\) holds \/usr\/bin\/sleep \(exe\) and 3 more on \/dev\/vda/,
  )
  assert.is(findings[0].evidence?.heldFiles, 4)
})

test("an old root held only by a survivor's mount namespace is found in its mountinfo", () => {
  const mountinfo = [
    '600 590 0:44 / / rw,relatime - tmpfs tmpfs rw,size=16384k',
    '601 600 254:0 /var/lib/e2e-bind /data rw,relatime - ext4 /dev/vda rw',
    '602 600 0:5 / /dev rw - devtmpfs udev rw',
  ].join('\n')
  const facts = factsFrom(show, {
    processes: [
      {
        pid: 820,
        comm: 'busybox',
        argv0: '/bin/busybox',
        unit: 'e2e-bind.service',
        held: [{via: 'exe', path: '/bin/busybox', device: '0:44'}],
        ownMounts: parseMountInfo(mountinfo),
      },
    ],
  })
  const [finding, ...rest] = pinRules(facts)
  assert.is(rest.length, 0)
  assert.is(finding.code, 'PINS_OLD_ROOT_NAMESPACE')
  assert.match(finding.message, /holds \/dev\/vda .* at \/data;/)
  assert.equal(finding.evidence?.mounts, [{mountPoint: '/data', root: '/var/lib/e2e-bind'}])
})

test.run()
