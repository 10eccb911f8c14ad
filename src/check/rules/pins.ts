// Rules for survivors that keep the old root alive: by their settings (a path on the old root's file system)
// and live (files, mappings and mount namespaces of their processes), judged by device number, never by path.
import {formatBytes} from '../../cli/format.js'
import type {CheckFacts, RootFileSystem} from '../facts.js'
import type {Finding} from '../finding.js'
import type {HeldFile, ProcessFacts} from '../processes.js'
import {survivors} from '../survival.js'

/** EnvironmentFile= is read when the unit starts and then closed: it never pins, it only dates the settings. */
const READ_AT_START = new Set(['EnvironmentFile'])
const LISTED_FILES = 5

function describeFs(fs: RootFileSystem): string {
  const size = fs.usedBytes === undefined ? '' : `, ${formatBytes(fs.usedBytes)} in use`
  return `${fs.source ?? fs.device} (${fs.path}${size})`
}

function pinEvidence(fs: RootFileSystem): Record<string, unknown> {
  return {
    device: fs.device,
    source: fs.source,
    fsType: fs.fsType,
    mountedAt: fs.path,
    pinnedBytes: fs.usedBytes,
  }
}

function staticFindings(facts: CheckFacts, surviving: Set<string>): Finding[] {
  const findings: Finding[] = []
  for (const path of facts.paths) {
    const fs = facts.oldRoot.find((root) => root.device === path.device)
    if (!surviving.has(path.unit) || !fs) continue
    if (READ_AT_START.has(path.setting)) {
      findings.push({
        unit: path.unit,
        severity: 'info',
        code: 'OLD_ROOT_SETTINGS_FILE',
        message: `${path.setting}=${path.path} is on the old root: the running unit keeps what it read; a restart after the switch reads the new root's file.`,
        evidence: {setting: path.setting, path: path.path, ...pinEvidence(fs)},
      })
      continue
    }

    findings.push({
      unit: path.unit,
      severity: 'warning',
      code: 'PINS_OLD_ROOT',
      message: `${path.setting}=${path.path} pins ${describeFs(fs)} of the old root while the unit runs.`,
      hint: `Move ${path.path} off the root file system (its own mount, or /run), or do not let ${path.unit} survive.`,
      evidence: {setting: path.setting, path: path.path, ...pinEvidence(fs)},
    })
  }

  return findings
}

function heldFindings(process: ProcessFacts, unit: string | undefined, oldRoot: RootFileSystem[]): Finding[] {
  const findings: Finding[] = []
  for (const fs of oldRoot) {
    const files: HeldFile[] = process.held.filter((file) => file.device === fs.device)
    if (files.length > 0) {
      const [first] = files
      const more = files.length > 1 ? ` and ${files.length - 1} more` : ''
      findings.push({
        unit,
        severity: 'warning',
        code: 'PINS_OLD_ROOT',
        message: `PID ${process.pid} (${process.comm}) holds ${first.path} (${first.via})${more} on ${describeFs(fs)} of the old root.`,
        hint: 'Run it from a file system the switch does not replace (RootDirectory=/RootImage= on its own mount).',
        evidence: {
          pid: process.pid,
          comm: process.comm,
          files: files.slice(0, LISTED_FILES),
          heldFiles: files.length,
          ...pinEvidence(fs),
        },
      })
    }

    const mounts = (process.ownMounts ?? []).filter((mount) => mount.majorMinor === fs.device)
    if (mounts.length > 0) {
      findings.push({
        unit,
        severity: 'warning',
        code: 'PINS_OLD_ROOT_NAMESPACE',
        message: `The mount namespace of PID ${process.pid} (${process.comm}) holds ${describeFs(fs)} of the old root at ${mounts.map((m) => m.mountPoint).join(', ')}; after the switch no findmnt shows it.`,
        hint: 'Bind nothing from the root file system into a surviving unit (BindPaths=, BindReadOnlyPaths=, portable profiles).',
        evidence: {
          pid: process.pid,
          comm: process.comm,
          mounts: mounts.map((m) => ({mountPoint: m.mountPoint, root: m.root})),
          ...pinEvidence(fs),
        },
      })
    }
  }

  return findings
}

export function pinRules(facts: CheckFacts): Finding[] {
  const surviving = new Set(survivors(facts))
  const live = facts.processes
    .filter((process) => (process.unit && surviving.has(process.unit)) || process.argv0.startsWith('@'))
    .flatMap((process) => heldFindings(process, process.unit, facts.oldRoot))
  return [...staticFindings(facts, surviving), ...live]
}
