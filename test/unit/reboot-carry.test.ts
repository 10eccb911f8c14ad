// Tests of carry-over planning (pure): the steps that assemble the new root at the armed path and carry the
// machine into it, full or /usr-only.
import {test} from 'uvu'
import * as assert from 'uvu/assert'

import {type CarryFacts, describeCarryStep, planCarryOver} from '../../src/reboot/carry-over.js'

const TREE = '/var/lib/nextroot/store/1/tree'

const FACTS: CarryFacts = {
  tree: TREE,
  armed: '/run/nextroot.armed',
  hostRoot: '/',
  usrOnly: false,
  dirs: [{source: '/var', target: '/run/nextroot.armed/var'}],
  files: [{source: '/etc/hostname', target: `${TREE}/etc/hostname`}],
  leftover: true,
}

test('plan: undo an earlier attempt, assemble the tree privately, share dirs, copy files', () => {
  assert.equal(planCarryOver(FACTS).steps.map(describeCarryStep), [
    'umount -R /run/nextroot.armed   # left by an earlier attempt',
    `mount --bind -o x-initrd.mount ${TREE} /run/nextroot.armed`,
    'mount --make-private /run/nextroot.armed',
    'mount --rbind -o x-initrd.mount /var /run/nextroot.armed/var',
    `cp -p /etc/hostname ${TREE}/etc/hostname`,
  ])
})

test('plan: a /usr-only image is the running root with the staged /usr on top, and the shared dirs', () => {
  assert.equal(
    planCarryOver({...FACTS, usrOnly: true, files: [], leftover: false}).steps.map(describeCarryStep),
    [
      'mount --bind -o x-initrd.mount / /run/nextroot.armed',
      'mount --make-private /run/nextroot.armed',
      `mount --bind -o x-initrd.mount ${TREE}/usr /run/nextroot.armed/usr`,
      'mount --rbind -o x-initrd.mount /var /run/nextroot.armed/var',
    ],
  )
})

test.run()
