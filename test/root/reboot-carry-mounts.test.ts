// Carrying a scratch machine into a scratch staged root with real mounts (root only): data shared not copied,
// identity files copied with their modes, accounts merged, a hostile symlink in the tree resolved inside it,
// a second attempt cleaning up after the first, and nothing propagated into the staged tree's own path.
import {chmod, lstat, mkdir, readFile, stat, symlink, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {test} from 'uvu'
import * as assert from 'uvu/assert'

import {DEFAULT_CONFIG} from '../../src/config.js'
import {applyCarryOver} from '../../src/reboot/carry-apply.js'
import {gatherCarryFacts} from '../../src/reboot/carry-facts.js'
import {planCarryOver} from '../../src/reboot/carry-over.js'
import {makeOsTree} from '../helpers/os-tree.js'
import {mountsUnder, withScratch} from '../helpers/scratch.js'

async function makeMachine(host: string): Promise<void> {
  await makeOsTree(host, {
    files: {
      'var/lib/app/data.txt': 'written on A\n',
      'home/alice/notes': 'hi\n',
      'etc/machine-id': '0123456789abcdef0123456789abcdef\n',
      'etc/hostname': 'machine-a\n',
      'etc/fstab': '/dev/vdc /srv/data ext4 defaults 0 2\n',
      'etc/ssh/ssh_host_ed25519_key': 'PRIVATE\n',
      'etc/ssh/ssh_host_ed25519_key.pub': 'PUBLIC\n',
      'etc/passwd': 'root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/bash\n',
      'etc/group': 'root:x:0:\nalice:x:1000:\n',
      'etc/shadow': 'root:$y$root:1::::::\nalice:$y$alice:1::::::\n',
    },
  })
  await chmod(join(host, 'etc/ssh/ssh_host_ed25519_key'), 0o600)
  await chmod(join(host, 'etc/shadow'), 0o640)
}

test("apply: the staged root sees the machine's data and identity; its own tree is not written through", async () => {
  await withScratch('carry', async (dir) => {
    const host = join(dir, 'host')
    const tree = join(dir, 'tree')
    // the armed path: where reboot assembles the new root from the staged tree
    const next = join(dir, 'next.armed')
    await makeMachine(host)
    await makeOsTree(tree, {
      files: {
        'etc/passwd': 'root:x:0:0:root:/root:/bin/bash\npolkitd:x:990:990::/:/usr/sbin/nologin\n',
        'etc/group': 'root:x:0:\npolkitd:x:990:\n',
        'etc/shadow': 'root:*:1::::::\npolkitd:!*:1::::::\n',
        'etc/hostname': 'image-default\n',
        'data/.keep': '',
      },
    })
    await symlink('/data', join(tree, 'srv')) // absolute: must mean the tree's /data, never the host's
    await mkdir(join(host, 'srv'))
    await writeFile(join(host, 'srv/site'), 'www\n')
    const paths = {tree, armed: next, hostRoot: host, usrOnly: false}
    const facts = await gatherCarryFacts(DEFAULT_CONFIG, paths)
    assert.equal(
      facts.dirs.map((d) => d.target),
      [join(next, 'var'), join(next, 'home'), join(next, 'data')],
      '/root is not on this machine; /srv resolves inside the tree',
    )
    await applyCarryOver(planCarryOver(facts).steps)

    assert.is(await readFile(join(next, 'var/lib/app/data.txt'), 'utf8'), 'written on A\n')
    assert.is(await readFile(join(next, 'data/site'), 'utf8'), 'www\n', '/srv -> /data in the tree')
    await writeFile(join(next, 'home/alice/from-b'), 'B\n')
    assert.is(await readFile(join(host, 'home/alice/from-b'), 'utf8'), 'B\n', 'shared, not copied')
    assert.not.ok(
      await lstat(join(tree, 'var/lib/app')).catch(() => undefined),
      'nothing copied into the tree',
    )
    assert.is(await readFile(join(next, 'etc/hostname'), 'utf8'), 'machine-a\n')
    assert.is(await readFile(join(next, 'etc/ssh/ssh_host_ed25519_key.pub'), 'utf8'), 'PUBLIC\n')
    assert.is((await stat(join(next, 'etc/ssh/ssh_host_ed25519_key'))).mode & 0o777, 0o600)
    assert.is(
      await readFile(join(next, 'etc/passwd'), 'utf8'),
      'root:x:0:0:root:/root:/bin/bash\npolkitd:x:990:990::/:/usr/sbin/nologin\nalice:x:1000:1000::/home/alice:/bin/bash\n',
    )
    assert.match(await readFile(join(next, 'etc/shadow'), 'utf8'), /^root:\$y\$root:/)
    assert.is((await stat(join(next, 'etc/shadow'))).mode & 0o777, 0o640)

    const again = await gatherCarryFacts(DEFAULT_CONFIG, paths)
    assert.ok(again.leftover, "the first attempt's assembled tree is found")
    await applyCarryOver(planCarryOver(again).steps)
    const mounts = await mountsUnder(next)
    assert.equal(
      mounts.sort(),
      [next, join(next, 'data'), join(next, 'home'), join(next, 'var')],
      'no stacked duplicates',
    )
    assert.equal(
      await mountsUnder(tree),
      [],
      'nothing is mounted inside the staged tree itself (no propagation)',
    )
  })
})

test.run()
