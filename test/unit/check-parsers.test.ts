// Tests of the pure readers behind `nextroot check`: systemctl show records and property values, unit files,
// /proc maps and cgroups, device numbers.
import {test} from 'uvu'
import * as assert from 'uvu/assert'

import {parseMaps, unitOfCgroup} from '../../src/host/proc.js'
import {parseUnitFile, valuesOf} from '../../src/systemd/unit-file.js'
import {deviceFromHex, deviceName} from '../../src/host/devices.js'
import {
  bindSources,
  environmentFiles,
  execPaths,
  extensionSources,
  rootSettings,
  splitWords,
  unitFilePaths,
  unitList,
  workingDirectory,
} from '../../src/systemd/properties.js'
import {parseListUnits, parseShow, prop} from '../../src/systemd/units.js'
import {fixture, unitsFrom} from '../helpers/check-facts.js'

test('parseShow splits records at blank lines and keeps repeated keys', () => {
  const records = parseShow(
    'Id=a.service\nExecStart={ path=/a ; }\nExecStart={ path=/b ; }\n\nId=b.service\nX=1=2\n',
  )
  assert.is(records.length, 2)
  assert.equal(records[0].ExecStart, ['{ path=/a ; }', '{ path=/b ; }'])
  assert.is(prop(records[1], 'X'), '1=2')
  assert.is(prop(records[1], 'Missing'), '')
})

test('parseShow reads every record of the recorded show output, keyed by Id, quoted names unescaped', () => {
  const units = unitsFrom(fixture('guest-show.txt'))
  assert.ok(units['e2e-survivor.service'])
  assert.ok(units['run-e2e\\x2dsurvivor\\x2droot.mount'])
  assert.is(prop(units['e2e-survivor.service'], 'SurviveFinalKillSignal'), 'yes')
  assert.equal(unitList(units['e2e-bind.service'], 'Requires'), [
    'system.slice',
    'run-e2e\\x2dsurvivor\\x2droot.mount',
  ])
})

test('splitWords unquotes names systemctl quotes', () => {
  assert.equal(splitWords('system.slice "run-a\\\\x2db.mount" "a\\"b" -.mount'), [
    'system.slice',
    'run-a\\x2db.mount',
    'a"b',
    '-.mount',
  ])
})

test('unitFilePaths lists the fragment and drop-ins, quoted ones unquoted', () => {
  const [unit] = parseShow(
    'FragmentPath=/run/systemd/system/a.mount\nDropInPaths=/etc/x.d/a.conf "/run/systemd/system/run-a\\\\x2db.mount.d/b.conf"',
  )
  assert.equal(unitFilePaths(unit), [
    '/run/systemd/system/a.mount',
    '/etc/x.d/a.conf',
    '/run/systemd/system/run-a\\x2db.mount.d/b.conf',
  ])
})

test('property readers understand systemctl show value formats', () => {
  const unit = parseShow(
    [
      'BindPaths=-/var/lib/x:/data:rbind /srv/y:/y',
      'BindReadOnlyPaths=/etc/machine-id',
      'ExtensionImages=-/var/lib/ext.raw:root:ro /opt/e.raw',
      'ExtensionDirectories=/var/lib/extdir',
      'ExecStart={ path=/usr/bin/sleep ; argv[]=/usr/bin/sleep infinity ; ignore_errors=no }',
      'EnvironmentFiles=/etc/default/x (ignore_errors=yes)',
      'EnvironmentFiles=/etc/y (ignore_errors=no)',
      'WorkingDirectory=!/var/lib/w',
      'RootDirectory=/run/r',
      'RootImage=',
    ].join('\n'),
  )[0]
  assert.equal(
    bindSources(unit, 'BindPaths').map((s) => [s.path, s.optional]),
    [
      ['/var/lib/x', true],
      ['/srv/y', false],
    ],
  )
  assert.equal(bindSources(unit, 'BindReadOnlyPaths')[0].path, '/etc/machine-id')
  assert.equal(
    extensionSources(unit).map((s) => [s.setting, s.path]),
    [
      ['ExtensionImages', '/var/lib/ext.raw'],
      ['ExtensionImages', '/opt/e.raw'],
      ['ExtensionDirectories', '/var/lib/extdir'],
    ],
  )
  assert.equal(execPaths(unit)[0].path, '/usr/bin/sleep')
  assert.equal(
    environmentFiles(unit).map((s) => [s.path, s.optional]),
    [
      ['/etc/default/x', true],
      ['/etc/y', false],
    ],
  )
  assert.equal(workingDirectory(unit), {setting: 'WorkingDirectory', path: '/var/lib/w', optional: true})
  assert.equal(
    rootSettings(unit).map((s) => s.setting),
    ['RootDirectory'],
  )
})

test('parseListUnits reads systemctl list-units --output=json', () => {
  const rows = parseListUnits(
    '[{"unit":"a.service","load":"loaded","active":"active","sub":"running","description":"A"},{"x":1}]',
  )
  assert.equal(rows, [{unit: 'a.service', load: 'loaded', active: 'active', sub: 'running'}])
})

test('parseUnitFile keeps sections, skips comments and joins continuation lines', () => {
  const parsed = parseUnitFile(fixture('guest-misplaced.service'))
  const survive = parsed.find((a) => a.key === 'SurviveFinalKillSignal')
  assert.equal(survive, {section: 'Service', key: 'SurviveFinalKillSignal', value: 'yes', line: 9})
  const text = '[Unit]\n# c\n; c\nWants=a.service \\\n  b.service\nWants=\nWants=c.service\n'
  assert.equal(valuesOf(parseUnitFile(text), 'Wants', 'Unit'), ['c.service'])
  assert.equal(valuesOf(parseUnitFile('[Unit]\nWants=a \\\n b\n'), 'Wants'), ['a', 'b'])
})

test('parseMaps keeps file-backed mappings once, with decimal devices, inode, deletion and execution', () => {
  const maps = [
    '55d0c0a00000-55d0c0a02000 r--p 00000000 fe:00 1311 /usr/bin/sleep',
    '55d0c0a02000-55d0c0a06000 r-xp 00002000 fe:00 1311 /usr/bin/sleep',
    '7f0000000000-7f0000021000 rw-p 00000000 00:00 0 ',
    '7f1000000000-7f1000001000 r--p 00000000 00:1a 77 /run/x/lib with space.so',
    '7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0                          [stack]',
    '7f2000000000-7f2000001000 r-xp 00000000 fe:00 2001 /usr/lib/libc.so.6 (deleted)',
  ].join('\n')
  assert.equal(parseMaps(maps), [
    {path: '/usr/bin/sleep', device: '254:0', inode: 1311, deleted: false, executable: true},
    {path: '/run/x/lib with space.so', device: '0:26', inode: 77, deleted: false, executable: false},
    {path: '/usr/lib/libc.so.6', device: '254:0', inode: 2001, deleted: true, executable: true},
  ])
})

test('unitOfCgroup finds the unit of a process, also in a sub-cgroup', () => {
  assert.is(unitOfCgroup('0::/system.slice/e2e-bind.service\n'), 'e2e-bind.service')
  assert.is(unitOfCgroup('0::/system.slice/x.service/payload\n'), 'x.service')
  assert.is(unitOfCgroup('0::/user.slice/user-0.slice/session-1.scope\n'), 'session-1.scope')
  assert.is(unitOfCgroup('0::/\n'), undefined)
})

test('device numbers read the same from stat, mountinfo and maps', () => {
  assert.is(deviceName(0xfe00n), '254:0')
  assert.is(deviceName(44n | (259n << 8n) | (256n << 12n)), '259:300') // minor above 255
  assert.is(deviceName((259n << 8n) | 3n), '259:3')
  assert.is(deviceFromHex('fe:10'), '254:16')
  assert.is(deviceFromHex('103:03'), '259:3')
})

test.run()
