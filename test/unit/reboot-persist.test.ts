// `reboot --persist`: when a switch may be made to last (pure rules), and on a real btrfs (a loop device):
// staging into a store there makes a subvolume, which can become the default and be put back.
import {join} from 'node:path'

import {execa} from 'execa'
import {test} from 'uvu'
import * as assert from 'uvu/assert'

import {defaultSubvolume, isSubvolume, setDefaultSubvolume, subvolumeId} from '../../src/host/btrfs.js'
import {gatherPersistFacts, parseFstab, rootSubvolumeOption} from '../../src/reboot/persist-facts.js'
import {type PersistFacts, persistRefusal} from '../../src/reboot/persist.js'
import {describeRebootStep} from '../../src/reboot/steps.js'
import {stage} from '../../src/stage/stage.js'
import {unstage} from '../../src/stage/unstage.js'
import {makeOsTree, tarTree} from '../helpers/os-tree.js'
import {scratchDir, removeScratch} from '../helpers/scratch.js'
import {entriesOf, locationsIn} from '../helpers/staging.js'

const READY: PersistFacts = {
  tree: '/var/lib/nextroot/store/1/tree',
  subvolume: true,
  sameFileSystem: true,
  dirsNotInFstab: [],
  subvolumeId: '257',
  previousDefault: '5',
}

const refusal = (facts: Partial<PersistFacts>) => persistRefusal({...READY, ...facts})?.message

test('persist: allowed on the root btrfs with no subvol= for / and the carried dirs in fstab', () => {
  assert.is(persistRefusal(READY), undefined)
  const step = {kind: 'persist' as const, subvolumeId: '257', previousDefault: '5', hostRoot: '/'}
  assert.is(
    describeRebootStep(step),
    'btrfs subvolume set-default 257 /   # the next full reboot boots the staged root too (was 5)',
  )
})

test('persist: refused, with the reason, where a full reboot would not find the machine it left', () => {
  assert.match(refusal({subvolume: false}) ?? '', /is not a btrfs subvolume/)
  assert.match(refusal({sameFileSystem: false}) ?? '', /not on the running root file system/)
  assert.match(refusal({rootSubvolume: 'subvol=@'}) ?? '', /mounts \/ as subvol=@/)
  assert.match(refusal({dirsNotInFstab: ['/var', '/home']}) ?? '', /\/var, \/home would be the image's/)
  assert.is(persistRefusal({...READY, subvolume: false})?.code, 'NR_CANNOT_PERSIST')
})

test('persist: subvol= for / from rootflags= or fstab; fstab comments and blank lines ignored', () => {
  const fstab = parseFstab(
    '# <fs> <mp>\nUUID=1 / btrfs defaults,subvol=@root 0 0\n\nUUID=1 /var btrfs subvol=@var 0 0\n',
  )
  assert.equal(
    fstab.map((entry) => entry.mountPoint),
    ['/', '/var'],
  )
  assert.is(rootSubvolumeOption('quiet root=/dev/vda', fstab), 'subvol=@root')
  assert.is(rootSubvolumeOption('root=/dev/vda rootflags=compress=zstd,subvolid=256', []), 'subvolid=256')
  assert.is(rootSubvolumeOption('root=/dev/vda', parseFstab('UUID=1 / btrfs defaults 0 0')), undefined)
})

const btrfsMissing = async () =>
  (await execa('sh', ['-c', 'command -v mkfs.btrfs && command -v btrfs'], {reject: false})).exitCode !== 0

test('on a real btrfs: the staged tree is a subvolume that can become the default and be put back', async () => {
  if (process.getuid?.() !== 0 || (await btrfsMissing())) {
    if (process.env.CI) throw new Error('CI must run the btrfs test: run as root with btrfs-progs installed')
    console.log('SKIP btrfs: needs root and btrfs-progs (test/host-deps.sh installs it)')
    return
  }

  const dir = await scratchDir('persist-btrfs')
  const mount = join(dir, 'btrfs')
  try {
    await execa('truncate', ['-s', '300M', join(dir, 'fs.img')])
    await execa('mkfs.btrfs', ['-q', join(dir, 'fs.img')])
    await execa('mkdir', [mount])
    await execa('mount', ['-o', 'loop', join(dir, 'fs.img'), mount])
    await makeOsTree(join(dir, 'os'))
    await tarTree(join(dir, 'os'), join(dir, 'os.tar'))
    const locations = {...locationsIn(mount), nextroot: join(dir, 'nextroot')}
    const {record} = await stage({source: join(dir, 'os.tar'), ...locations})
    const tree = record.tree as string
    assert.ok(await isSubvolume(tree), 'staged as a subvolume')
    const id = await subvolumeId(tree)
    assert.is(await defaultSubvolume(mount), '5')
    await setDefaultSubvolume(id, mount)
    assert.is(await defaultSubvolume(mount), id)
    const facts = await gatherPersistFacts(tree, '/', [])
    assert.equal([facts.subvolume, facts.subvolumeId, facts.previousDefault], [true, id, id])
    assert.is(facts.sameFileSystem, false, "a loop device is not this machine's root")
    await setDefaultSubvolume('5', mount)
    assert.is(await defaultSubvolume(mount), '5')
    await unstage(locations)
    assert.equal(await entriesOf(join(locations.stateDir, 'store')), [], 'unstage deletes the subvolume')
  } finally {
    await execa('umount', ['-R', join(dir, 'nextroot')], {reject: false})
    await execa('umount', [mount], {reject: false})
    await removeScratch(dir)
  }
})

test.run()
