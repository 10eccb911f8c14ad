// Scenario (b): nextroot stages root B's archive in the guest; a soft reboot lands on it, same kernel boot.
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {scenario} from './scenario.js'

const steps = ['nextroot stage /images/rootB.tar --json', 'soft-reboot']

scenario(
  test,
  'soft reboot into root B staged by nextroot',
  {id: 'soft-reboot', steps, timeoutS: 1200},
  (run) => {
    const staged = JSON.parse(run.results[0].output) as {command: string; ok: boolean}
    assert.equal([staged.command, staged.ok], ['stage', true])
    const [before, after] = run.boots
    assert.is(run.boots.length, 2)
    assert.is(before.root, 'A')
    assert.is(after.root, 'B')
    assert.is(after.imageVersion, 'B')
    assert.is(after.bootId, before.bootId, 'a soft reboot keeps the kernel boot ID')
    assert.is(after.softReboots, 1)
  },
)

test.run()
