// `nextroot install`: makes the after-switch unit part of a root for good, the running one or an image tree
// an updater is building, for setups that want it on disk rather than armed in /run by each `nextroot reboot`.
import {resolve} from 'node:path'

import {NextrootError} from '../errors.js'
import {AFTER_SWITCH_UNIT, isPlaced, placeUnit, removeUnit, unitPaths} from './after-switch-unit.js'

export interface InstallOptions {
  /** The root to install into (default `/`). */
  root?: string
  /** Remove the unit instead. */
  remove?: boolean
}

export interface InstallResult {
  action: 'installed' | 'unchanged' | 'removed' | 'absent'
  unit: string
  wants: string
}

function permissionError(error: unknown, root: string): never {
  if ((error as NodeJS.ErrnoException).code !== 'EACCES' && (error as NodeJS.ErrnoException).code !== 'EPERM')
    throw error
  throw new NextrootError('NR_NOT_ROOT', `No permission to write ${AFTER_SWITCH_UNIT} into ${root}.`, {
    hints: ['Run it with sudo, or as root.'],
    cause: error,
  })
}

/** Idempotent: installing what is installed, or removing what is absent, changes nothing and succeeds. */
export async function install(options: InstallOptions = {}): Promise<InstallResult> {
  const root = resolve(options.root ?? '/')
  const {unit, wants} = unitPaths(root, 'persistent')
  const paths = {unit, wants}
  try {
    if (options.remove)
      return {action: (await removeUnit(root, 'persistent')) ? 'removed' : 'absent', ...paths}
    if (await isPlaced(root, 'persistent')) return {action: 'unchanged', ...paths}
    await placeUnit(root, 'persistent')
    return {action: 'installed', ...paths}
  } catch (error) {
    return permissionError(error, root)
  }
}
