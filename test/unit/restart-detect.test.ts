// Tests of how `nextroot restart` finds what needs it: owners from cgroups, replaced mappings (overlayfs
// included), changed scripts, the unit's own key, apt's hook data, and the user manager's socket check.
import {stat, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {test} from 'uvu'
import * as assert from 'uvu/assert'

import {deviceName} from '../../src/host/devices.js'
import {restartKey, stateOf} from '../../src/restart/facts.js'
import {parseShow} from '../../src/systemd/units.js'
import {scriptOf} from '../../src/restart/interp.js'
import {ownerOf} from '../../src/restart/owner.js'
import {parseAptHookInfo} from '../../src/restart/packages.js'
import {isReplaced, staleProcesses} from '../../src/restart/stale.js'
import {judgeSocketPath, runningUserManagers} from '../../src/systemd/user-managers.js'
import {makeOsTree} from '../helpers/os-tree.js'
import {withScratch} from '../helpers/scratch.js'

const USER = '/user.slice/user-1000.slice/user@1000.service'

test('owners: PID 1, system units, a user manager and its units, sessions', () => {
  assert.equal(ownerOf('/init.scope'), {kind: 'init'})
  assert.equal(ownerOf('/system.slice/nginx.service'), {kind: 'system-unit', unit: 'nginx.service'})
  assert.equal(ownerOf('/system.slice/system-getty.slice/getty@tty1.service'), {
    kind: 'system-unit',
    unit: 'getty@tty1.service',
  })
  assert.equal(ownerOf(`${USER}/init.scope`), {kind: 'user-manager', uid: 1000})
  assert.equal(ownerOf(`${USER}/app.slice/syncthing.service`), {
    kind: 'user-unit',
    uid: 1000,
    unit: 'syncthing.service',
  })
  assert.equal(ownerOf(`${USER}/app.slice/app-gnome-firefox-2211.scope`), {
    kind: 'session',
    unit: 'app-gnome-firefox-2211.scope',
    uid: 1000,
  })
  assert.equal(ownerOf('/user.slice/user-1000.slice/session-3.scope'), {
    kind: 'session',
    unit: 'session-3.scope',
    uid: 1000,
  })
})

test('replaced: deleted, another inode, another real device; overlayfs and btrfs compare inodes only', () => {
  // devices as parseMaps gives them ("fe:01" in maps is 254:1)
  const mapping = {path: '/usr/lib/libssl.so.3', device: '254:1', inode: 77, deleted: false, executable: true}
  assert.not.ok(isReplaced(mapping, {device: '254:1', inode: 77}))
  assert.ok(isReplaced({...mapping, deleted: true}, {device: '254:1', inode: 77}))
  assert.ok(isReplaced(mapping, undefined), 'gone')
  assert.ok(isReplaced(mapping, {device: '254:1', inode: 78}), 'renamed over: a new inode')
  assert.ok(isReplaced(mapping, {device: '254:2', inode: 77}), 'same inode number on another disk')
  // overlayfs: maps show the upper or lower layer's device, stat the overlay's anonymous one
  assert.not.ok(isReplaced({...mapping, device: '0:42'}, {device: '0:31', inode: 77}))
  assert.not.ok(isReplaced(mapping, {device: '0:31', inode: 77}))
  assert.ok(isReplaced({...mapping, device: '0:42'}, {device: '0:31', inode: 90}))
})

test('scripts: python, perl and shells name their script; -c, -m and -e run no file', () => {
  assert.is(
    scriptOf(['/usr/bin/python3', '-u', '/usr/local/bin/worker.py', '--fast']),
    '/usr/local/bin/worker.py',
  )
  assert.is(scriptOf(['python3.13', '-X', 'dev', 'app.py']), 'app.py')
  assert.is(scriptOf(['python3', '-m', 'http.server']), undefined)
  assert.is(scriptOf(['perl', '-w', '/usr/sbin/mon.pl']), '/usr/sbin/mon.pl')
  assert.is(scriptOf(['perl', '-e', 'print 1']), undefined)
  assert.is(scriptOf(['/bin/sh', '-c', 'sleep 1']), undefined)
  assert.is(scriptOf(['bash', '--', '/opt/run.sh']), '/opt/run.sh')
  assert.is(scriptOf(['/usr/sbin/nginx', '-g', 'daemon off;']), undefined, 'not an interpreter')
})

test('X-RestartOnUpgrade=: in [Unit] or [Service]; the last file (a drop-in) wins', () => {
  const vendor = '[Unit]\nDescription=db\nX-RestartOnUpgrade=yes\n[Service]\nExecStart=/usr/bin/db\n'
  assert.is(restartKey([vendor]), 'yes')
  assert.is(restartKey([vendor, '[Service]\nX-RestartOnUpgrade=no\n']), 'no', 'the admin overrides')
  assert.is(restartKey(['[Service]\nX-RestartOnUpgrade=reload\n']), 'reload')
  assert.is(restartKey(['[Service]\nX-RestartOnUpgrade=maybe\n']), undefined, 'not a value')
  assert.is(restartKey(['[Service]\nExecStart=/bin/true\n']), undefined)
})

test('systemctl show, as the guest printed it: markers, reload support, the main PID', () => {
  const shown = parseShow(
    [
      'Id=nr-demo.service',
      'ActiveState=active',
      'CanReload=no',
      'RefuseManualStop=no',
      'NeedDaemonReload=no',
      'Markers=needs-restart needs-reload',
      'MainPID=793',
      'FragmentPath=/usr/lib/systemd/system/nr-demo.service',
      'DropInPaths=',
      '',
      'Id=nr-marked.service',
      'ActiveState=inactive',
      'CanReload=no',
      'RefuseManualStop=yes',
      'NeedDaemonReload=yes',
      'Markers=',
      'MainPID=0',
      '',
    ].join('\n'),
  )
  assert.equal(stateOf(shown[0], undefined), {
    active: 'active',
    canReload: false,
    refuseManualStop: false,
    survives: false,
    needDaemonReload: false,
    markers: ['needs-restart', 'needs-reload'],
    mainPid: 793,
    key: undefined,
  })
  assert.equal(
    [stateOf(shown[1], 'no').markers, stateOf(shown[1], 'no').refuseManualStop, stateOf(shown[1], 'no').key],
    [[], true, 'no'],
  )
})

test("apt's Pre-Install-Pkgs protocol 3: packages changed in place, not new or removed ones", () => {
  const info = [
    'VERSION 3',
    'APT::Architecture=amd64',
    'DPkg::Tools::options::/usr/bin/nextroot::Version=3',
    '',
    'nr-demo 1.0 amd64 same < 2.0 amd64 same /var/cache/apt/archives/nr-demo_2.0_amd64.deb',
    'libfoo1 1.2 amd64 same = 1.2 amd64 same **CONFIGURE**',
    'newpkg - - none < 1.0 amd64 none /var/cache/apt/archives/newpkg_1.0_amd64.deb',
    'oldpkg 3.0 amd64 none > - - none **REMOVE**',
    'nr-demo 1.0 amd64 same < 2.0 amd64 same **CONFIGURE**',
    '',
  ].join('\n')
  assert.equal(parseAptHookInfo(info), ['nr-demo', 'libfoo1'])
  assert.equal(parseAptHookInfo('VERSION 2\n\nnr-demo 1.0 < 2.0 x.deb\n'), [], 'another protocol')
})

test("a user's manager is talked to only over a socket the user owns, reached with no symlink", () => {
  const good = [
    {path: '/run/user/1000', kind: 'directory' as const, uid: 1000},
    {path: '/run/user/1000/systemd', kind: 'directory' as const, uid: 1000},
    {path: '/run/user/1000/systemd/private', kind: 'socket' as const, uid: 1000},
  ]
  assert.is(judgeSocketPath(good, 1000), undefined)
  const planted = [
    ...good.slice(0, 2),
    {path: '/run/user/1000/systemd/private', kind: 'symlink' as const, uid: 1000},
  ]
  assert.is(judgeSocketPath(planted, 1000), '/run/user/1000/systemd/private is a symlink, not a socket')
  const dir = [good[0], {path: '/run/user/1000/systemd', kind: 'symlink' as const, uid: 1000}, good[2]]
  assert.match(judgeSocketPath(dir, 1000) ?? '', /systemd is a symlink, not a directory/)
  const foreign = [good[0], good[1], {...good[2], uid: 0}]
  assert.is(judgeSocketPath(foreign, 1000), '/run/user/1000/systemd/private is owned by uid 0, not 1000')
  assert.match(judgeSocketPath([{path: '/run/user/1000', kind: 'absent'}], 1000) ?? '', /is missing/)
  const units = new Map([
    ['user@1001.service', 'active'],
    ['user@1000.service', 'active'],
    ['user@1002.service', 'deactivating'],
    ['user-runtime-dir@1000.service', 'active'],
  ])
  assert.equal(runningUserManagers(units), [1000, 1001], 'running user managers only')
})

/** One process of a recorded /proc: its maps, cgroup and command line. */
async function proc(
  root: string,
  pid: number,
  files: {maps: string; cgroup: string; comm: string; cmdline?: string},
) {
  const dir = join(root, 'proc', String(pid))
  await makeOsTree(root, {
    files: {
      [`proc/${pid}/maps`]: files.maps,
      [`proc/${pid}/cgroup`]: `0::${files.cgroup}\n`,
      [`proc/${pid}/comm`]: `${files.comm}\n`,
      [`proc/${pid}/cmdline`]: (files.cmdline ?? files.comm).replaceAll(' ', '\0'),
      [`proc/${pid}/stat`]: `${pid} (${files.comm}) S ${'0 '.repeat(18)}100 0\n`,
    },
  })
  return dir
}

test('scan: a system service and a user service map a replaced library; an overlay mapping is not replaced', async () => {
  await withScratch('restart-scan', async (root) => {
    await makeOsTree(root, {
      files: {'usr/lib/libnr.so.1': 'v2', 'usr/bin/nr-demo': 'bin', 'proc/stat': 'btime 1000\n'},
    })
    const lib = await stat(join(root, 'usr/lib/libnr.so.1'))
    const bin = await stat(join(root, 'usr/bin/nr-demo'))
    const [major, minor] = deviceName(BigInt(bin.dev)).split(':').map(Number)
    const dev = `${major.toString(16)}:${minor.toString(16)}`
    const old = `7f00-7f10 r-xp 00000000 ${dev} ${lib.ino + 1000} /usr/lib/libnr.so.1\n`
    const exe = `5500-5510 r-xp 00000000 ${dev} ${bin.ino} /usr/bin/nr-demo\n`
    await proc(root, 1, {maps: exe, cgroup: '/init.scope', comm: 'systemd'})
    await proc(root, 410, {maps: exe + old, cgroup: '/system.slice/nr-demo.service', comm: 'nr-demo'})
    await proc(root, 900, {
      maps: exe + old,
      cgroup: `${USER}/app.slice/nr-demo-user.service`,
      comm: 'nr-demo',
    })
    const overlay = `7f00-7f10 r-xp 00000000 00:2a ${lib.ino} /usr/lib/libnr.so.1\n`
    await proc(root, 950, {maps: overlay, cgroup: '/system.slice/container.service', comm: 'ctr'})
    await proc(root, 960, {
      maps: `7f00-7f10 r-xp 00000000 00:01 5 /memfd:jit (deleted)\n`,
      cgroup: '/system.slice/jit.service',
      comm: 'jit',
    })
    await writeFile(join(root, 'proc/1/maps'), exe)
    const scan = await staleProcesses(root)
    assert.equal(
      scan.processes.map((p) => [p.pid, p.owner, p.files]),
      [
        [410, {kind: 'system-unit', unit: 'nr-demo.service'}, ['/usr/lib/libnr.so.1']],
        [900, {kind: 'user-unit', uid: 1000, unit: 'nr-demo-user.service'}, ['/usr/lib/libnr.so.1']],
      ],
    )
    assert.is(scan.unreadable, 0)
    assert.is(scan.scriptsUnknown, undefined)
  })
})

test('scan: without a readable boot time, scripts are unknown, never all reported as changed', async () => {
  await withScratch('restart-scan-btime', async (root) => {
    await makeOsTree(root, {files: {'usr/bin/tool.py': 'print(1)\n', 'proc/stat': 'cpu 0 0 0\n'}})
    await proc(root, 500, {maps: '', cgroup: '/system.slice/tool.service', comm: 'python3 /usr/bin/tool.py'})
    const scan = await staleProcesses(root)
    assert.equal(scan.processes, [])
    assert.match(scan.scriptsUnknown ?? '', /no btime in .*proc\/stat/)
  })
})

test.run()
