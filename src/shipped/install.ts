// `nextroot install`: makes the after-switch unit part of a root for good, the running one or an image tree
// an updater is building, for setups that want it on disk rather than armed in /run by each `nextroot reboot`;
// and, with --hooks, the package-manager hooks that run `nextroot restart` after each transaction.
import {join, resolve} from 'node:path'

import {NextrootError} from '../errors.js'
import {type HookAction, type HookFile, hookFiles, placeHook, removeHook} from './hooks.js'
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
  throw new NextrootError(
    'NR_NOT_ROOT',
    `No permission to write ${AFTER_SWITCH_UNIT} or the hooks into ${root}.`,
    {
      hints: ['Run it with sudo, or as root.'],
      cause: error,
    },
  )
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

export interface HooksResult {
  hooks: Array<{manager: HookFile['manager']; path: string; action: HookAction}>
}

/** `install --hooks`: each package manager's hook, idempotently; `remove` takes them out again. */
export async function installHooks(options: {
  root?: string
  remove?: boolean
  bin: string
}): Promise<HooksResult> {
  const root = resolve(options.root ?? '/')
  const files = hookFiles(options.bin)
  try {
    const hooks = []
    for (const hook of files) {
      const action = options.remove ? await removeHook(root, hook) : await placeHook(root, hook)
      hooks.push({manager: hook.manager, path: join(root, hook.path), action})
    }

    return {hooks}
  } catch (error) {
    return permissionError(error, root)
  }
}
