// The one module that asks the running systemd about itself (version, soft-reboot support, counters).
import {join} from 'node:path'

import {orUnknown, pathExists} from '../absent.js'
import {run} from '../exec/run.js'
import {SOFT_REBOOT_MIN_VERSION, SURVIVE_MIN_VERSION} from './requirements.js'

export interface SystemdFacts {
  /** PID 1 is systemd (sd_booted(3): /run/systemd/system exists). */
  running: boolean
  /** Undefined when `systemctl --version` could not be run or read. */
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
  const [version, count] = await Promise.all([
    orUnknown('systemctl --version', run('systemctl', ['--version'])),
    running
      ? orUnknown('SoftRebootsCount', run('systemctl', ['show', '--property=SoftRebootsCount', '--value']))
      : undefined,
  ])
  const versionText = version?.stdout.split('\n')[0]
  const number = versionText ? parseSystemdVersion(versionText) : undefined
  const countText = count?.stdout.trim() ?? ''
  return {
    running,
    version: number,
    versionText,
    softRebootSupported: running && (number ?? 0) >= SOFT_REBOOT_MIN_VERSION,
    autoSoftReboot: running && (number ?? 0) >= SURVIVE_MIN_VERSION,
    softRebootsCount: /^\d+$/.test(countText) ? Number(countText) : undefined,
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

/**
 * When this userspace started, in ms since the epoch: PID 1's UserspaceTimestamp, which a soft reboot sets
 * again (the kernel's boot time does not change). Undefined when systemd does not run or does not say.
 */
export async function userspaceStartedAt(hostRoot = '/'): Promise<number | undefined> {
  if (!(await pathExists(join(hostRoot, 'run/systemd/system')))) return undefined
  const args = ['get-property', ...MANAGER_OBJECT, 'UserspaceTimestamp']
  const answer = await orUnknown('UserspaceTimestamp', run('busctl', args))
  const us = /^t (\d+)$/.exec(answer?.stdout.trim() ?? '')?.[1]
  return us === undefined || us === '0' ? undefined : Number(us) / 1000
}

const MANAGER_OBJECT = [
  'org.freedesktop.systemd1',
  '/org/freedesktop/systemd1',
  'org.freedesktop.systemd1.Manager',
]
