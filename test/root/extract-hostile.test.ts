// Hostile archives: each is refused with its own error code, and nothing is ever written outside the target.
import {lstat, readFile} from 'node:fs/promises'
import {join} from 'node:path'

import {test} from 'uvu'
import * as assert from 'uvu/assert'

import {extractInto} from '../helpers/extract.js'
import {
  arena,
  assertOutsideUntouched,
  dir,
  exists,
  file,
  hardlink,
  refuses,
  symlink,
} from '../helpers/hostile.js'
import {removeScratch} from '../helpers/scratch.js'
import {packArchive} from '../helpers/tar-craft.js'

refuses('a ../ member name', 'NR_UNSAFE_PATH', () => packArchive([file('ok'), file('../x')]))
refuses('a name that climbs out through a/../../', 'NR_UNSAFE_PATH', () =>
  packArchive([dir('a/'), file('a/../../x')]),
)
refuses('an absolute member name', 'NR_UNSAFE_PATH', (a) => packArchive([file(join(a.sentinel, 'x'))]))
refuses(
  'an absolute name under /etc',
  'NR_UNSAFE_PATH',
  () => packArchive([file(`/etc/nextroot-hostile-${process.pid}`)]),
  async () => {
    assert.not.ok(await exists(`/etc/nextroot-hostile-${process.pid}`))
  },
)

refuses('a symlink to an absolute path, then a file through it (CVE-2025-45582)', 'NR_UNSAFE_PATH', (a) =>
  packArchive([symlink('l', a.sentinel), file('l/x')]),
)
refuses('a symlink to ../.., then a file through it', 'NR_UNSAFE_PATH', () =>
  packArchive([symlink('l', '../..'), file('l/tmp/x')]),
)
refuses('a symlink to ../sentinel, then a directory through it', 'NR_UNSAFE_PATH', () =>
  packArchive([symlink('l', '../sentinel'), dir('l/sub/')]),
)
refuses(
  'a symlink to a directory inside the tree, then a file through it (never written through a symlink)',
  'NR_UNSAFE_PATH',
  () => packArchive([dir('sub/'), symlink('l', 'sub'), file('l/x')]),
  async (a) => assert.not.ok(await exists(join(a.target, 'sub/x'))),
)
refuses('a symlink, then a directory of the same name', 'NR_UNSAFE_PATH', () =>
  packArchive([symlink('l', '../sentinel'), dir('l/'), file('l/x')]),
)
refuses('a hardlink to ../outside-file', 'NR_UNSAFE_LINK', () =>
  packArchive([hardlink('h', '../outside-file')]),
)
refuses('a hardlink to an absolute path', 'NR_UNSAFE_LINK', (a) =>
  packArchive([hardlink('h', a.outsideFile)]),
)
refuses('a hardlink to a path not in the archive', 'NR_UNSAFE_LINK', () =>
  packArchive([file('a'), hardlink('h', 'missing')]),
)
refuses('a hardlink to a file that comes later', 'NR_UNSAFE_LINK', () =>
  packArchive([hardlink('h', 'later'), file('later')]),
)
refuses('a hardlink to a directory', 'NR_UNSAFE_LINK', () => packArchive([dir('d/'), hardlink('h', 'd')]))
refuses('a hardlink through a symlink', 'NR_UNSAFE_LINK', () =>
  packArchive([symlink('l', '..'), hardlink('h', 'l/outside-file')]),
)
refuses('a hardlink to the root itself', 'NR_UNSAFE_LINK', () =>
  packArchive([dir('./'), hardlink('h', './')]),
)
refuses('a hardlink to itself', 'NR_UNSAFE_LINK', () => packArchive([hardlink('h', './h')]))
refuses('the root entry as a symlink', 'NR_UNSAFE_PATH', () => packArchive([symlink('./', '/'), file('x')]))
refuses('a directory replacing an earlier file', 'NR_UNSAFE_PATH', () =>
  packArchive([file('x'), dir('x/'), file('x/y')]),
)
refuses('a file replacing an earlier directory', 'NR_UNSAFE_PATH', () =>
  packArchive([dir('x/'), file('x/y'), file('x')]),
)
refuses('a symlink replacing an earlier directory', 'NR_UNSAFE_PATH', () =>
  packArchive([dir('x/'), symlink('x', '../sentinel'), file('x/y')]),
)

test('a hardlink to a symlink links the symlink itself, not what it points to', async () => {
  const a = await arena()
  try {
    await extractInto(await packArchive([symlink('l', a.outsideFile), hardlink('h', 'l')]), a.target)
    assert.ok((await lstat(join(a.target, 'h'))).isSymbolicLink())
    await assertOutsideUntouched(a)
  } finally {
    await removeScratch(a.root)
  }
})

test('a later file replaces an earlier file or symlink of the same name, as GNU tar does', async () => {
  const a = await arena()
  try {
    const archive = await packArchive([
      file('x', 'first'),
      symlink('l', a.outsideFile),
      file('x', 'second'),
      file('l', 'replaced'),
    ])
    await extractInto(archive, a.target)
    assert.is(await readFile(join(a.target, 'x'), 'utf8'), 'second')
    assert.ok((await lstat(join(a.target, 'l'))).isFile())
    await assertOutsideUntouched(a)
  } finally {
    await removeScratch(a.root)
  }
})

test('devices and FIFOs, made last, still take hardlinks and give way to a later member', async () => {
  const a = await arena()
  try {
    const archive = await packArchive([
      [{name: 'null', type: 'character-device', devmajor: 1, devminor: 3, mode: 0o666}],
      hardlink('null-too', 'null'),
      [{name: 'pipe', type: 'fifo'}],
      file('pipe', 'now a file'),
      [{name: 'late', type: 'fifo', mode: 0o640}],
    ])
    await extractInto(archive, a.target)
    const [device, link] = await Promise.all([
      lstat(join(a.target, 'null')),
      lstat(join(a.target, 'null-too')),
    ])
    assert.ok(device.isCharacterDevice() && device.rdev === link.rdev && device.ino === link.ino)
    assert.is(device.mode & 0o7777, 0o666)
    assert.is(await readFile(join(a.target, 'pipe'), 'utf8'), 'now a file')
    const late = await lstat(join(a.target, 'late'))
    assert.ok(late.isFIFO() && (late.mode & 0o7777) === 0o640)
    await assertOutsideUntouched(a)
  } finally {
    await removeScratch(a.root)
  }
})

test.run()
