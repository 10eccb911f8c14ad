// The one module that asks the running systemd about itself (version, soft-reboot support, counters).
import {join} from 'node:path'

import {run} from '../exec/run.js'
import {pathExists} from '../path-exists.js'

/** systemctl soft-reboot exists from systemd 254; SurviveFinalKillSignal= and auto soft-reboot from 255. */
export const SOFT_REBOOT_MIN_VERSION = 254
export const AUTO_SOFT_REBOOT_MIN_VERSION = 255

export interface SystemdFacts {
  /** PID 1 is systemd (sd_booted(3): /run/systemd/system exists). */
  running: boolean
  version?: number
  versionText?: string
  softRebootSupported: boolean
  /** systemd >= 255 turns a plain `systemctl reboot` into a soft reboot while /run/nextroot is a mounted OS tree. */
  autoSoftReboot: boolean
  softRebootsCount?: number
}

export function parseSystemdVersion(text: string): number | undefined {
  const match = /^systemd (\d+)/m.exec(text)
  return match ? Number(match[1]) : undefined
}

async function readSystemdFacts(hostRoot: string): Promise<SystemdFacts> {
  const running = await pathExists(join(hostRoot, 'run/systemd/system'))
  const [versionText, countText] = await Promise.all([
    run('systemctl', ['--version']).then(
      (result) => result.stdout.split('\n')[0],
      () => undefined,
    ),
    running
      ? run('systemctl', ['show', '--property=SoftRebootsCount', '--value']).then(
          (result) => result.stdout.trim(),
          () => undefined,
        )
      : undefined,
  ])
  const version = versionText ? parseSystemdVersion(versionText) : undefined
  return {
    running,
    version,
    versionText,
    softRebootSupported: running && (version ?? 0) >= SOFT_REBOOT_MIN_VERSION,
    autoSoftReboot: running && (version ?? 0) >= AUTO_SOFT_REBOOT_MIN_VERSION,
    softRebootsCount: countText && /^\d+$/.test(countText) ? Number(countText) : undefined,
  }
}

/** Facts this old are asked again: within one command (check, then reboot's preflight) they are shared. */
const REUSE_MS = 10_000
const recent = new Map<string, {at: number; facts: Promise<SystemdFacts>}>()

export function systemdFacts(hostRoot = '/'): Promise<SystemdFacts> {
  const cached = recent.get(hostRoot)
  if (cached && performance.now() - cached.at < REUSE_MS) return cached.facts
  const facts = readSystemdFacts(hostRoot)
  recent.set(hostRoot, {at: performance.now(), facts})
  return facts
}
