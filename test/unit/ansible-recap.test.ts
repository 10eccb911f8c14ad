// parseRecap reads the counts the e2e Ansible test asserts on from ansible-playbook's PLAY RECAP.
import {test} from 'uvu'
import * as assert from 'uvu/assert'

import {parseRecap} from '../e2e/ansible.js'

const RECAP = `
TASK [nextroot : Check that no reboot is pending any more] *********************
ok: [127.0.0.1]

PLAY RECAP *********************************************************************
127.0.0.1                  : ok=17   changed=2    unreachable=0    failed=0    skipped=6    rescued=0    ignored=0
`

test('reads the counts of the host line', () => {
  const recap = parseRecap(RECAP)
  assert.equal(
    {ok: recap.ok, changed: recap.changed, unreachable: recap.unreachable, failed: recap.failed},
    {ok: 17, changed: 2, unreachable: 0, failed: 0},
  )
  assert.match(recap.recap, /^127\.0\.0\.1 +: ok=17 +changed=2/)
})

test('picks the named host among several, from the last recap', () => {
  const first = 'PLAY RECAP ***\n127.0.0.1 : ok=1 changed=1 unreachable=0 failed=1 skipped=0\n'
  const last = [
    'PLAY RECAP ***',
    'web1 : ok=3 changed=0 unreachable=1 failed=0 skipped=0',
    '127.0.0.1 : ok=9 changed=0 unreachable=0 failed=0 skipped=14',
  ].join('\n')
  const recap = parseRecap(`${first}\nPLAY [again] ***\n${last}\n`, '127.0.0.1')
  assert.is(recap.ok, 9)
  assert.is(recap.failed, 0)
  assert.is(parseRecap(last).unreachable, 1)
})

test('a failed and an unreachable host', () => {
  const output =
    'PLAY RECAP ***\n127.0.0.1 : ok=2 changed=0 unreachable=1 failed=1 skipped=5 rescued=0 ignored=0\n'
  const recap = parseRecap(output, '127.0.0.1')
  assert.is(recap.unreachable, 1)
  assert.is(recap.failed, 1)
})

test('no recap: empty line, zero counts', () => {
  const recap = parseRecap('ERROR! the playbook: playbook.yml could not be found\n')
  assert.equal(recap, {recap: '', ok: 0, changed: 0, unreachable: 0, failed: 0})
  assert.is(parseRecap(RECAP, 'other-host').recap, '')
})

test.run()
