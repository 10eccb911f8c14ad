// Tests of carry-over planning (pure): the steps that carry the machine into a staged root, full or /usr-only.

import {test} from 'uvu'
import * as assert from 'uvu/assert'

import {type CarryFacts, describeCarryStep, planCarryOver} from '../../src/reboot/carry-over.js'

const FACTS: CarryFacts = {
  nextroot: '/run/nextroot',
  hostRoot: '/',
  usrOnly: false,
  aside: '/var/lib/nextroot/mnt/usr-1',
  dirs: [{source: '/var', target: '/run/nextroot/var'}],
  files: [{source: '/etc/hostname', target: '/run/nextroot/etc/hostname'}],
  leftovers: ['/run/nextroot/home'],
}

test('plan: clean up an earlier attempt, stop propagation, share dirs, copy files', () => {
  assert.equal(planCarryOver(FACTS).steps.map(describeCarryStep), [
    'umount -R /run/nextroot/home   # left by an earlier attempt',
    'mount --make-private /run/nextroot',
    'mount --rbind /var /run/nextroot/var',
    'cp -p /etc/hostname /run/nextroot/etc/hostname',
  ])
})

test('plan: a /usr-only image is the running root with the staged /usr on top, and the shared dirs', () => {
  assert.equal(
    planCarryOver({...FACTS, usrOnly: true, files: [], leftovers: []}).steps.map(describeCarryStep),
    [
      'mount --bind /run/nextroot/usr /var/lib/nextroot/mnt/usr-1',
      'mount --bind / /run/nextroot',
      'mount --make-private /run/nextroot',
      'mount --bind /var/lib/nextroot/mnt/usr-1 /run/nextroot/usr',
      'mount --rbind /var /run/nextroot/var',
    ],
  )
})
test.run()
