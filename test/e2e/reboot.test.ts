// Scenario (c): a full reboot is a new kernel boot, back on root A with the soft reboot count reset.
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {scenario} from './scenario.js'

scenario(test, 'full reboot gives a new boot ID', {id: 'reboot', steps: ['reboot'], timeoutS: 900}, (run) => {
  const [before, after] = run.boots
  assert.is(run.boots.length, 2)
  assert.is.not(after.bootId, before.bootId)
  assert.is(after.root, 'A')
  assert.is(after.softReboots, 0)
})

test.run()
