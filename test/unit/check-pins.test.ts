// Tests of the pinning rules of `nextroot check`: settings and live processes that keep the old root alive,
// judged by device number (a survivor's paths read like the new root's after the switch).
import {test} from 'uvu'
import * as assert from 'uvu/assert'

import type {UnitPath} from '../../src/check/facts.js'
import {mappedFiles} from '../../src/check/processes.js'
import {pinRules} from '../../src/check/rules/pins.js'
import {parseMountInfo} from '../../src/host/mounts.js'
import {OLD_ROOT, codesOf, factsFrom, fixture} from '../helpers/check-facts.js'

const show = fixture('guest-show.txt')

function path(unit: string, setting: string, at: string, device: string): UnitPath {
  return {unit, setting, path: at, optional: false, hostPath: at, device}
}

const FS_EVIDENCE = {
  device: '254:0',
  source: '/dev/vda',
  fsType: 'ext4',
  mountedAt: '/',
  pinnedBytes: OLD_ROOT.usedBytes,
}

test('BindPaths= from the root file system pins it; a path on another file system does not', () => {
  const facts = factsFrom(show, {
    paths: [
      path('e2e-bind.service', 'BindPaths', '/var/lib/e2e-bind', '254:0'),
      path('e2e-bind.service', 'RootDirectory', '/run/e2e-survivor-root', '0:44'),
      path('e2e-rootdir.service', 'RootDirectory', '/run/e2e-survivor-root', '0:44'),
    ],
  })
  const findings = pinRules(facts)
  assert.equal(codesOf(findings), ['e2e-bind.service PINS_OLD_ROOT'])
  const [pin] = findings
  assert.is(pin.severity, 'warning')
  assert.is(
    pin.message,
    'BindPaths=/var/lib/e2e-bind: pins /dev/vda (/, 700.0 MiB in use) of the old root while it runs.',
  )
  assert.match(pin.hint!, /^Move \/var\/lib\/e2e-bind off the root file system/)
  assert.equal(pin.evidence, {
    ...FS_EVIDENCE,
    settings: [{setting: 'BindPaths', path: '/var/lib/e2e-bind'}],
    processes: [],
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

test('a survivor mapping its binary from the old root pins it: one finding with the setting and the process', () => {
  const maps =
    '5580-5582 r--p 00000000 fe:00 1311 /usr/bin/sleep\n7f00-7f01 r--p 00000000 fe:00 2001 /usr/lib/x86_64-linux-gnu/libc.so.6\n'
  const sleep = (pid: number, unit: string) => ({
    pid,
    comm: 'sleep',
    argv0: '/usr/bin/sleep',
    unit,
    held: [
      {via: 'exe' as const, path: '/usr/bin/sleep', device: '254:0'},
      {via: 'cwd' as const, path: '/', device: '254:0'},
      ...mappedFiles(maps),
    ],
    denied: [],
  })
  const facts = factsFrom(show, {
    paths: [path('e2e-survivor.service', 'ExecStart', '/usr/bin/sleep', '254:0')],
    processes: [sleep(479, 'e2e-survivor.service'), sleep(481, 'e2e-gone.service')],
  })
  const findings = pinRules(facts)
  assert.equal(codesOf(findings), ['e2e-survivor.service PINS_OLD_ROOT'])
  assert.match(
    findings[0].message,
    /^ExecStart=\/usr\/bin\/sleep; PID 479 \(sleep\) holds \/usr\/bin\/sleep \(exe\) and 3 more: pins \/dev\/vda/,
  )
  const [process] = findings[0].evidence?.processes as Array<{heldFiles: number}>
  assert.is(process.heldFiles, 4)
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
        denied: [],
      },
    ],
  })
  const [finding, ...rest] = pinRules(facts)
  assert.is(rest.length, 0)
  assert.is(finding.code, 'PINS_OLD_ROOT')
  assert.match(finding.message, /^PID 820 \(busybox\) has it mounted at \/data: pins \/dev\/vda .*no findmnt/)
  const [process] = finding.evidence?.processes as Array<{mounts: unknown}>
  assert.equal(process.mounts, [{mountPoint: '/data', root: '/var/lib/e2e-bind'}])
})

test("an '@' process outside any survivor is judged too", () => {
  const facts = factsFrom(show, {
    processes: [
      {
        pid: 301,
        comm: 'mdmon',
        argv0: '@dmon',
        held: [{via: 'exe', path: '/usr/sbin/mdmon', device: '254:0'}],
        denied: [],
      },
    ],
  })
  const [finding] = pinRules(facts)
  assert.equal([finding.unit, finding.code], [undefined, 'PINS_OLD_ROOT'])
})

test.run()
