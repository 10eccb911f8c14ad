// Scenario (a): the guest boots root A on a real systemd that can soft-reboot.
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {scenario} from './scenario.js'

scenario(test, 'guest boots root A and reports systemd', {id: 'boot', steps: [], timeoutS: 420}, (run) => {
  const [boot] = run.boots
  assert.is(run.boots.length, 1)
  assert.is(boot.root, 'A')
  assert.is(boot.imageVersion, 'A')
  assert.is(boot.rootSource, '/dev/vda')
  assert.is(boot.softReboots, 0)
  const major = parseInt(boot.systemd)
  assert.ok(major >= 254, `systemd ${boot.systemd} is older than 254 (no soft-reboot)`)
  console.log(`guest: systemd ${boot.systemd}, kernel ${boot.kernel}`)
})

test.run()
