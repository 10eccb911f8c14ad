// One fixture per lint rule (test/fixtures/lint/RULE/{bad,good}): the bad one breaks the rule, the good one
// follows it; a scriptlet rule has both an RPM spec and a Debian postinst on each side.
import {readdirSync} from 'node:fs'
import {basename, join} from 'node:path'
import {test} from 'uvu'
import * as assert from 'uvu/assert'

import {RULE_CATALOG} from '../../src/lint/catalog.js'
import {lint} from '../../src/lint/lint.js'

const FIXTURES = new URL('../fixtures/lint/', import.meta.url).pathname
const rules = RULE_CATALOG.filter((r) => r.id !== 'SYSTEMD_ANALYZE_VERIFY')

test('every rule has a fixture, and every fixture a rule', () => {
  assert.equal(readdirSync(FIXTURES).sort(), rules.map((r) => r.id).sort())
})

for (const rule of rules) {
  test(`${rule.id}: the bad fixture breaks it, the good one does not`, async () => {
    const dir = (kind: string) => join(FIXTURES, rule.id, kind)
    const bad = await lint({paths: [dir('bad')], verify: false})
    const hits = bad.findings.filter((f) => f.rule === rule.id)
    assert.ok(hits.length > 0, `no ${rule.id} in ${JSON.stringify(bad.findings.map((f) => f.rule))}`)
    assert.ok(
      hits.every((f) => f.severity === rule.severity),
      `${rule.id} severity`,
    )
    assert.ok(hits.every((f) => f.line === undefined || f.line > 0))
    if (rule.applies !== 'unit')
      assert.equal([...new Set(hits.map((f) => basename(f.file)))].sort(), ['foo.spec', 'postinst'])
    const good = await lint({paths: [dir('good')], verify: false})
    assert.equal(
      good.findings.filter((f) => f.rule === rule.id),
      [],
      `${rule.id} in the good fixture`,
    )
  })
}

test.run()
