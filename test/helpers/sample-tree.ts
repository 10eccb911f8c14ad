// Builds a small root-like tree holding every entry kind a root image can carry, for fidelity tests.
import {execa} from 'execa'
import {chmod, chown, link, mkdir, symlink, utimes, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

/** Creates the tree under `root` (which must exist); needs root privileges, setcap/setfacl/setfattr, mknod. */
export async function buildSampleTree(root: string): Promise<void> {
  const p = (rel: string) => join(root, rel)
  for (const dir of [
    'etc',
    'usr/bin',
    'usr/lib/systemd',
    'usr/lib/os-release.d',
    'var/tmp',
    'dev',
    'home/alice',
    'deep',
  ]) {
    await mkdir(p(dir), {recursive: true})
  }

  await writeFile(p('etc/os-release'), 'ID=sample\nNAME="Sample OS"\nVERSION_ID=1\nIMAGE_VERSION=1.2.3\n')
  await writeFile(p('usr/bin/ping'), Buffer.from('\x7fELF fake ping binary\n'))
  await chmod(p('usr/bin/ping'), 0o755)
  await execa('setcap', ['cap_net_raw,cap_setuid+ep', p('usr/bin/ping')])
  await writeFile(p('usr/bin/su'), 'setuid root program\n')
  await chown(p('usr/bin/su'), 0, 0)
  await chmod(p('usr/bin/su'), 0o4755)
  await writeFile(p('usr/bin/wall'), 'setgid tty program\n')
  await chown(p('usr/bin/wall'), 0, 5)
  await chmod(p('usr/bin/wall'), 0o2755)
  await chmod(p('var/tmp'), 0o1777)
  await writeFile(p('home/alice/notes'), 'owned by 1000:1000\n')
  await chown(p('home/alice/notes'), 1000, 1000)
  await chown(p('home/alice'), 1000, 1000)
  await chmod(p('home/alice'), 0o700)
  await writeFile(p('etc/acl-file'), 'has an ACL\n')
  await execa('setfacl', ['-m', 'u:1234:rx,g:99:r', p('etc/acl-file')])
  await execa('setfacl', ['-d', '-m', 'u:1234:rwx', p('home/alice')])
  await execa('setfattr', ['-n', 'user.binary', '-v', '0sAP8AgA==', p('etc/os-release')])
  await execa('setfattr', ['-n', 'trusted.overlay.opaque', '-v', 'y', p('deep')])
  await writeFile(p('usr/bin/busybox'), 'multi-call binary\n')
  await link(p('usr/bin/busybox'), p('usr/bin/sh'))
  await link(p('usr/bin/busybox'), p('usr/bin/ls'))
  await symlink('/usr/lib/os-release', p('etc/os-release.link'))
  await symlink('../lib/systemd', p('usr/bin/systemd-dir'))
  await execa('mknod', ['-m', '0666', p('dev/null'), 'c', '1', '3'])
  await execa('mknod', ['-m', '0660', p('dev/loop9'), 'b', '7', '9'])
  await execa('mknod', ['-m', '0600', p('dev/initctl'), 'p'])
  await writeFile(p('usr/lib/systemd/systemd'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]))
  let deep = 'deep'
  while (deep.length < 200) deep += '/' + 'd'.repeat(20)
  await mkdir(p(deep), {recursive: true})
  await writeFile(p(`${deep}/a-file-with-a-rather-long-name-${'x'.repeat(60)}`), 'long path\n')
  await writeFile(p('var/large.bin'), Buffer.alloc(3 * 1024 * 1024, 7))
  await utimes(p('etc/os-release'), 1_700_000_000.25, 1_700_000_000.123456)
  await utimes(p('usr/bin/ping'), 1_600_000_000, 1_600_000_000)
  await utimes(p('etc'), 1_650_000_000, 1_650_000_000.5)
}
