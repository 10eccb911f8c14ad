// What a soft reboot needs from systemd, stated once: the versions that bring each feature, and the room the
// manager needs in /run/systemd to serialise its state for the switch.
import {formatBytes} from '../format.js'

/** `systemctl soft-reboot` exists from systemd 254. */
export const SOFT_REBOOT_MIN_VERSION = 254
/** SurviveFinalKillSignal= and the automatic soft reboot into a mounted /run/nextroot come with 255. */
export const SURVIVE_MIN_VERSION = 255

/** systemd serialises its state in /run/systemd for the switch and wants this much free there. */
export const RUN_SYSTEMD_MIN_FREE = 16 * 1024 * 1024

/** The words for too little room in /run, wherever it is found (stage warns, check blocks). */
export function runSpaceShortage(freeBytes: number, path: string): string | undefined {
  if (freeBytes >= RUN_SYSTEMD_MIN_FREE) return undefined
  return `Only ${formatBytes(freeBytes)} free in ${path}; systemd serialises its state there to soft-reboot and wants ${formatBytes(RUN_SYSTEMD_MIN_FREE)}.`
}
