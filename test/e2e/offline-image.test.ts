// Issue 12's root-image payload on a real systemd: `offline prepare ROOT.tar --reboot` stages root B, soft-
// reboots into update mode, and leaves it by `nextroot reboot`'s soft reboot into B: the same kernel boot
// throughout, and B's after-switch closes the offline record (B has no offline units of its own).
import {test} from 'uvu'
import * as assert from 'uvu/assert'

import {LATE_CLI, finishedOffline, status} from './offline-steps.js'
import {scenario} from './scenario.js'

const SWITCHED = 'for i in $(seq 600); do [ -e /var/lib/nextroot/switch.json ] || break; sleep 1; done'

const steps = [
  `${LATE_CLI} && nextroot offline prepare /e2e/no-such-image.tar --json > /e2e/out/missing.json; echo "exit $?"`,
  'nextroot offline prepare /images/rootB.tar --reboot --json > /e2e/out/prepare-image.json && sleep 900',
  `${SWITCHED} && ${status('image')} && nextroot history`,
]

scenario(
  test,
  'offline: a root image, switched into from update mode by soft reboots only',
  {id: 'offline-image', steps, timeoutS: 1500},
  (run) => {
    const output = (step: number) => run.results.find((r) => r.i === step)?.output ?? ''
    assert.match(output(0), /exit [1-9]/)
    const [first, second] = run.boots
    assert.is(second.root, 'B')
    assert.is(second.bootId, first.bootId, 'no full reboot: the same kernel boot')
    assert.is(second.softReboots, 2)

    const image = finishedOffline(run, 'image')
    assert.is(image.kind, 'image')
    assert.is(image.phase, 'installed')
    assert.is(image.image?.imageVersion, 'B')
    assert.equal([image.entered?.how, image.leave?.how], ['soft-reboot', 'soft-reboot'])
    assert.is(image.leave?.into, image.image?.stagedId)
    assert.equal(
      image.leave?.reasons.map((r) => r.code),
      ['IMAGE_STAGED'],
    )
    assert.is(image.entered?.defaultTarget, 'system-update.target')
    assert.ok((image.downMs ?? 0) > 0)
    assert.match(output(2), /offline INSTALLED\s+root image/)
    console.log(
      `offline root image: services down ${image.downMs} ms (soft reboot into update mode, soft reboot into B)`,
    )
  },
)

test.run()
