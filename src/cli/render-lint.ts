// `nextroot lint`'s reports: text (file:line: severity rule: message, then the hint), GitHub Actions
// workflow commands for annotations, SARIF 2.1.0 for code-scanning tools, and the rule list.
import {relative} from 'node:path'

import {RULE_CATALOG} from '../lint/catalog.js'
import type {LintFinding} from '../lint/finding.js'
import type {LintResult} from '../lint/lint.js'

const where = (f: LintFinding) => `${relative(process.cwd(), f.file) || f.file}${f.line ? `:${f.line}` : ''}`

export function renderLint(result: LintResult): string {
  const lines = result.findings.flatMap((f) => [
    `${where(f)}: ${f.severity} ${f.rule}: ${f.message}${f.origin === 'systemd-analyze' ? ' [systemd-analyze]' : ''}`,
    ...(f.hint ? [`  hint: ${f.hint}`] : []),
  ])
  const {counts} = result
  const verify = result.verify.skipped
    ? `systemd-analyze verify not run (${result.verify.skipped})`
    : `systemd-analyze verify: ${result.verify.findings} findings in ${result.verify.ms} ms`
  lines.push(
    `${result.units} units, ${result.scripts} scripts: ${counts.error} errors, ${counts.warning} warnings, ${counts.note} notes, ${counts.info} info${result.disabled ? ` (${result.disabled} turned off)` : ''}; ${result.ms} ms; ${verify}`,
  )
  return lines.join('\n')
}

const GITHUB_LEVEL = {error: 'error', warning: 'warning', note: 'notice', info: 'notice'}
const escapeData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
const escapeProperty = (s: string) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C')

/** GitHub Actions workflow commands: one annotation per finding. */
export function renderGithub(result: LintResult): string {
  return result.findings
    .map((f) => {
      const props = [`file=${escapeProperty(relative(process.cwd(), f.file) || f.file)}`]
      if (f.line) props.push(`line=${f.line}`)
      props.push(`title=${escapeProperty(f.rule)}`)
      const text = f.hint ? `${f.message} (${f.hint})` : f.message
      return `::${GITHUB_LEVEL[f.severity]} ${props.join(',')}::${escapeData(text)}`
    })
    .join('\n')
}

const SARIF_LEVEL = {error: 'error', warning: 'warning', note: 'note', info: 'note'}

/** SARIF 2.1.0: the rules that fired and one result per finding. */
export function renderSarif(result: LintResult, version: string): string {
  const used = new Set(result.findings.map((f) => f.rule))
  const rules = RULE_CATALOG.filter((r) => used.has(r.id)).map((r) => ({
    id: r.id,
    shortDescription: {text: r.summary},
    help: {text: `${r.summary} Source: ${r.source}`},
    defaultConfiguration: {level: SARIF_LEVEL[r.severity]},
  }))
  const results = result.findings.map((f) => ({
    ruleId: f.rule,
    level: SARIF_LEVEL[f.severity],
    message: {text: f.hint ? `${f.message} ${f.hint}` : f.message},
    locations: [
      {
        physicalLocation: {
          artifactLocation: {uri: relative(process.cwd(), f.file) || f.file},
          ...(f.line ? {region: {startLine: f.line}} : {}),
        },
      },
    ],
    properties: {origin: f.origin, ...(f.unit ? {unit: f.unit} : {})},
  }))
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'nextroot lint',
            version,
            informationUri: 'https://github.com/nextroot/nextroot#lint',
            rules,
          },
        },
        results,
      },
    ],
  }
  return JSON.stringify(sarif, null, 2)
}

export function renderRules(): string {
  return RULE_CATALOG.map(
    (r) => `${r.id} (${r.severity}, ${r.applies})\n  ${r.summary}\n  source: ${r.source}`,
  ).join('\n')
}
