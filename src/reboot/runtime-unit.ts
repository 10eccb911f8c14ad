// Puts the shipped nextroot-after-switch.service where the next userspace finds it, whatever its /etc:
// /run/systemd/system, which a soft reboot keeps (files in /run survive; only its submounts do not).
import {access, copyFile, mkdir, rm, symlink} from 'node:fs/promises'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

export const AFTER_SWITCH_UNIT = 'nextroot-after-switch.service'

const RUNTIME_DIR = 'run/systemd/system'
const WANTS = 'multi-user.target.wants'

/** units/ of the installed package, found upwards from this module (src/ when run by tsx, dist/src/ when built). */
export async function shippedUnit(): Promise<string> {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (let up = 0; up < 4; up++, dir = dirname(dir)) {
    const candidate = join(dir, 'units', AFTER_SWITCH_UNIT)
    if (
      await access(candidate).then(
        () => true,
        () => false,
      )
    )
      return candidate
  }

  throw new Error(`units/${AFTER_SWITCH_UNIT} is missing from the nextroot package`)
}

export function runtimeUnitPaths(hostRoot: string): {unit: string; wants: string} {
  const dir = join(hostRoot, RUNTIME_DIR)
  return {unit: join(dir, AFTER_SWITCH_UNIT), wants: join(dir, WANTS, AFTER_SWITCH_UNIT)}
}

export async function armAfterSwitch(hostRoot: string): Promise<void> {
  const {unit, wants} = runtimeUnitPaths(hostRoot)
  await mkdir(dirname(wants), {recursive: true})
  await copyFile(await shippedUnit(), unit)
  await rm(wants, {force: true})
  await symlink(`../${AFTER_SWITCH_UNIT}`, wants)
}

export async function disarmAfterSwitch(hostRoot: string): Promise<void> {
  const {unit, wants} = runtimeUnitPaths(hostRoot)
  await rm(wants, {force: true})
  await rm(unit, {force: true})
}
