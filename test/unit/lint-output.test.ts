// lint's plumbing on small inputs: systemd-analyze verify's output merged (deduplicated, marked), rules
// turned off by a comment or a config file (an unknown id refused), GitHub annotations and SARIF.
import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {test} from 'uvu'
import * as assert from 'uvu/assert'

import {renderGithub, renderSarif} from '../../src/cli/render-lint.js'
import {lint} from '../../src/lint/lint.js'
import {parseVerify} from '../../src/lint/verify.js'
import type {LintUnit} from '../../src/lint/unit.js'
import {codeOf} from '../helpers/error-code.js'

const UNIT = '[Unit]\nDescription=x\nAfter=syslog.target\n\n[Service]\nType=simple\nExecStart=/usr/bin/x\n'

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'nextroot-lint-'))
  try {
    await fn(dir)
  } finally {
    await rm(dir, {recursive: true, force: true})
  }
}

test('verify output: one finding per distinct line, with file, line, unit and origin', () => {
  const unit: LintUnit = {
    name: 'x.service',
    type: 'service',
    fragment: '/u/x.service',
    dropIns: ['/u/x.service.d/a.conf'],
    assignments: [],
  }
  const output = [
    "/u/x.service:3: Unknown key 'Foo' in section [Service], ignoring.",
    "/u/x.service:3: Unknown key 'Foo' in section [Service], ignoring.",
    '/u/x.service.d/a.conf:2: Invalid value',
    'x.service: Command /usr/bin/x is not executable: No such file or directory',
    'Some unrelated line',
  ].join('\n')
  const findings = parseVerify(output, [unit])
  assert.equal(
    findings.map((f) => [f.file, f.line, f.unit, f.severity, f.origin]),
    [
      ['/u/x.service', 3, 'x.service', 'note', 'systemd-analyze'],
      ['/u/x.service.d/a.conf', 2, 'x.service', 'warning', 'systemd-analyze'],
      ['/u/x.service', undefined, 'x.service', 'warning', 'systemd-analyze'],
    ],
  )
})

test('a comment turns a rule off for its file, a config file for the directory; unknown ids are refused', () =>
  withDir(async (dir) => {
    await writeFile(join(dir, 'a.service'), `# nextroot-lint: disable=SYSLOG_TARGET\n${UNIT}`)
    await writeFile(join(dir, 'b.service'), UNIT)
    const first = await lint({paths: [dir], verify: false})
    assert.equal(
      first.findings.filter((f) => f.rule === 'SYSLOG_TARGET').map((f) => f.unit),
      ['b.service'],
    )
    assert.is(first.disabled, 1)
    await writeFile(
      join(dir, 'nextroot-lint.conf'),
      '# house rules\ndisable=TYPE_SIMPLE_DEFAULT SYSLOG_TARGET\n',
    )
    const second = await lint({paths: [dir], verify: false})
    assert.equal(second.findings, [])
    await writeFile(join(dir, 'nextroot-lint.conf'), 'disable=NO_SUCH_RULE\n')
    assert.is(await codeOf(lint({paths: [dir], verify: false})), 'NR_USAGE')
  }))

test('GitHub annotations and SARIF carry the rule, file, line and level', () =>
  withDir(async (dir) => {
    await writeFile(join(dir, 'b.service'), UNIT)
    const result = await lint({paths: [dir], verify: false})
    const github = renderGithub(result).split('\n')
    assert.ok(
      github.some((l) => /^::notice file=.*b\.service,line=3,title=SYSLOG_TARGET::/.test(l)),
      github.join('\n'),
    )
    const sarif = JSON.parse(renderSarif(result, '0.1.0')) as {
      version: string
      runs: Array<{
        tool: {driver: {rules: Array<{id: string}>}}
        results: Array<{
          ruleId: string
          level: string
          locations: Array<{physicalLocation: {region?: {startLine: number}}}>
        }>
      }>
    }
    assert.is(sarif.version, '2.1.0')
    const hit = sarif.runs[0].results.find((r) => r.ruleId === 'SYSLOG_TARGET')
    assert.is(hit?.level, 'note')
    assert.is(hit?.locations[0].physicalLocation.region?.startLine, 3)
    assert.ok(sarif.runs[0].tool.driver.rules.some((r) => r.id === 'SYSLOG_TARGET'))
  }))

test('nothing to lint, or a file of no known kind, is a usage error', () =>
  withDir(async (dir) => {
    assert.is(await codeOf(lint({paths: []})), 'NR_USAGE')
    await writeFile(join(dir, 'notes.txt'), 'x')
    assert.is(await codeOf(lint({paths: [join(dir, 'notes.txt')], verify: false})), 'NR_USAGE')
    assert.is(
      await codeOf(lint({paths: [join(dir, 'missing.service')], verify: false})),
      'NR_SOURCE_NOT_FOUND',
    )
  }))

test.run()
