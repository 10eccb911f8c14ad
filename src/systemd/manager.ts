// The one module that asks the running systemd about itself (version, soft-reboot support, counters).
import {access} from 'node:fs/promises'
import {join} from 'node:path'

import {run} from '../exec/run.js'

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

export async function systemdFacts(hostRoot = '/'): Promise<SystemdFacts> {
  const running = await access(join(hostRoot, 'run/systemd/system')).then(
    () => true,
    () => false,
  )
  const versionText = await run('systemctl', ['--version']).then(
    (result) => result.stdout.split('\n')[0],
    () => undefined,
  )
  const version = versionText ? parseSystemdVersion(versionText) : undefined
  let softRebootsCount: number | undefined
  if (running) {
    const shown = await run('systemctl', ['show', '--property=SoftRebootsCount', '--value']).catch(
      () => undefined,
    )
    if (shown && /^\d+$/.test(shown.stdout.trim())) softRebootsCount = Number(shown.stdout.trim())
  }

  return {
    running,
    version,
    versionText,
    softRebootSupported: running && (version ?? 0) >= SOFT_REBOOT_MIN_VERSION,
    autoSoftReboot: running && (version ?? 0) >= AUTO_SOFT_REBOOT_MIN_VERSION,
    softRebootsCount,
  }
}
