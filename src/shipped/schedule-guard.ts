// `reboot --when=`: logind's schedule survives the soft reboot it triggers (it lives in /run), and the new
// userspace's logind would fire it again, already due: a soft reboot loop (systemd 257). A runtime drop-in,
// units/nextroot-due-schedule.conf, removes a due schedule before logind reads it; after-switch removes it.
import {copyFile, mkdir, rm} from 'node:fs/promises'
import {dirname, join} from 'node:path'

import {shippedFile} from './files.js'

const GUARD = 'nextroot-due-schedule.conf'

export function scheduleGuardPath(hostRoot: string): string {
  return join(hostRoot, 'run/systemd/system/systemd-logind.service.d', GUARD)
}

export async function placeScheduleGuard(hostRoot: string): Promise<void> {
  const path = scheduleGuardPath(hostRoot)
  await mkdir(dirname(path), {recursive: true})
  await copyFile(await shippedFile(GUARD), path)
}

export async function removeScheduleGuard(hostRoot: string): Promise<void> {
  await rm(scheduleGuardPath(hostRoot), {force: true})
}
