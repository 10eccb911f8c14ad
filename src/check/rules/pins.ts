// Rules for survivors that keep the old root alive: by their settings (a path on the old root's file system)
// and live (files, mappings and mount namespaces of their processes), judged by device number, never by path.
// One finding per unit and old-root file system, with every setting and process that pins it as evidence.
import {formatBytes} from '../../format.js'
import type {CheckFacts, RootFileSystem, UnitPath} from '../facts.js'
import type {Finding} from '../finding.js'
import type {ProcessFacts} from '../processes.js'
import {survivors} from '../survival.js'

/** EnvironmentFile= is read when the unit starts and then closed: it never pins, it only dates the settings. */
const READ_AT_START = new Set(['EnvironmentFile'])
const LISTED_FILES = 5

function describeFs(fs: RootFileSystem): string {
  const size = fs.usedBytes === undefined ? '' : `, ${formatBytes(fs.usedBytes)} in use`
  return `${fs.source ?? fs.device} (${fs.path}${size})`
}

function fsEvidence(fs: RootFileSystem): Record<string, unknown> {
  return {
    device: fs.device,
    source: fs.source,
    fsType: fs.fsType,
    mountedAt: fs.path,
    pinnedBytes: fs.usedBytes,
  }
}

/** What one process holds on `fs`: files (exe, cwd, root, mappings, descriptors) and mounts of its namespace. */
function liveHolds(process: ProcessFacts, fs: RootFileSystem) {
  const files = process.held.filter((file) => file.device === fs.device)
  const mounts = (process.ownMounts ?? []).filter((mount) => mount.majorMinor === fs.device)
  return {pid: process.pid, comm: process.comm, files, mounts}
}

type Holds = ReturnType<typeof liveHolds>

function reasons(settings: UnitPath[], holds: Holds[]): string[] {
  return [
    ...settings.map((s) => `${s.setting}=${s.path}`),
    ...holds.flatMap((h) => [
      ...(h.mounts.length > 0
        ? [`PID ${h.pid} (${h.comm}) has it mounted at ${h.mounts.map((m) => m.mountPoint).join(', ')}`]
        : []),
      ...(h.files.length > 0
        ? [
            `PID ${h.pid} (${h.comm}) holds ${h.files[0].path} (${h.files[0].via})${h.files.length > 1 ? ` and ${h.files.length - 1} more` : ''}`,
          ]
        : []),
    ]),
  ]
}

function pinFinding(
  unit: string | undefined,
  fs: RootFileSystem,
  settings: UnitPath[],
  holds: Holds[],
): Finding {
  const inNamespace = holds.some((h) => h.mounts.length > 0)
  const firstPath = settings.find((s) => s.setting.startsWith('Bind'))?.path
  return {
    unit,
    severity: 'warning',
    code: 'PINS_OLD_ROOT',
    message: `${reasons(settings, holds).join('; ')}: pins ${describeFs(fs)} of the old root while it runs${inNamespace ? ' (a mount namespace no findmnt on the host shows after the switch)' : ''}.`,
    hint: firstPath
      ? `Move ${firstPath} off the root file system (its own mount, or /run), or do not let ${unit} survive.`
      : 'Run it from a file system the switch does not replace (RootDirectory=/RootImage= on its own mount), or do not let it survive.',
    evidence: {
      ...fsEvidence(fs),
      settings: settings.map((s) => ({setting: s.setting, path: s.path})),
      processes: holds.map((h) => ({
        pid: h.pid,
        comm: h.comm,
        files: h.files.slice(0, LISTED_FILES),
        heldFiles: h.files.length,
        mounts: h.mounts.map((m) => ({mountPoint: m.mountPoint, root: m.root})),
      })),
    },
  }
}

function settingsFileFinding(path: UnitPath, fs: RootFileSystem): Finding {
  return {
    unit: path.unit,
    severity: 'info',
    code: 'OLD_ROOT_SETTINGS_FILE',
    message: `${path.setting}=${path.path} is on the old root: the running unit keeps what it read; a restart after the switch reads the new root's file.`,
    evidence: {setting: path.setting, path: path.path, ...fsEvidence(fs)},
  }
}

/** A survivor's /proc entries or setting paths closed to us: what it pins is unknown, and the report says so. */
function unreadableFindings(processes: ProcessFacts[], paths: UnitPath[]): Finding[] {
  const unknown = (unit: string | undefined, what: string, evidence: Record<string, unknown>): Finding => ({
    unit,
    severity: 'warning',
    code: 'SURVIVOR_UNREADABLE',
    message: `${what} could not be read (not root), so what it pins of the old root is unknown.`,
    hint: 'Run nextroot check as root.',
    evidence,
  })
  return [
    ...processes
      .filter((p) => p.denied.length > 0)
      .map((p) =>
        unknown(p.unit, `PID ${p.pid} (${p.comm}): ${p.denied.join(', ')}`, {pid: p.pid, denied: p.denied}),
      ),
    ...paths
      .filter((p) => p.denied)
      .map((p) => unknown(p.unit, `${p.setting}=${p.path}`, {setting: p.setting, path: p.path})),
  ]
}

export function pinRules(facts: CheckFacts): Finding[] {
  const surviving = new Set(survivors(facts))
  const processes = facts.processes.filter(
    (process) => (process.unit !== undefined && surviving.has(process.unit)) || process.argv0.startsWith('@'),
  )
  const units = [...new Set([...surviving, ...processes.map((p) => p.unit)])]
  const findings: Finding[] = unreadableFindings(
    processes,
    facts.paths.filter((p) => surviving.has(p.unit)),
  )
  for (const unit of units) {
    for (const fs of facts.oldRoot) {
      const paths = facts.paths.filter(
        (p) => p.unit === unit && surviving.has(p.unit) && p.device === fs.device,
      )
      const settings = paths.filter((p) => !READ_AT_START.has(p.setting))
      findings.push(
        ...paths.filter((p) => READ_AT_START.has(p.setting)).map((p) => settingsFileFinding(p, fs)),
      )
      const holds = processes
        .filter((p) => p.unit === unit)
        .map((p) => liveHolds(p, fs))
        .filter((h) => h.files.length > 0 || h.mounts.length > 0)
      if (settings.length > 0 || holds.length > 0) findings.push(pinFinding(unit, fs, settings, holds))
    }
  }

  return findings
}
