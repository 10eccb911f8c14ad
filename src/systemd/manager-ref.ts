// Which service manager a systemctl call goes to: the system manager, or one user's manager. A user's manager
// is reached as that user (setpriv drops root first), over its private socket in the user's runtime directory:
// if the user pointed that socket elsewhere, the call still runs with the user's rights only.
import {type RunOptions, type RunResult, run} from '../exec/run.js'

export type ManagerRef = {kind: 'system'} | {kind: 'user'; uid: number; gid: number; user: string}

export const SYSTEM: ManagerRef = {kind: 'system'}

export function describeManager(manager: ManagerRef): string {
  return manager.kind === 'system'
    ? 'the system manager'
    : `the user manager of ${manager.user} (${manager.uid})`
}

/** The runtime directory of a user's manager, where its private socket is. */
export function runtimeDir(uid: number): string {
  return `/run/user/${uid}`
}

/** argv of `systemctl ARGS` for `manager`. */
export function systemctlArgv(manager: ManagerRef, args: string[]): string[] {
  if (manager.kind === 'system') return ['systemctl', ...args]
  const {uid, gid} = manager
  return [
    'setpriv',
    `--reuid=${uid}`,
    `--regid=${gid}`,
    '--clear-groups',
    // nothing of root's environment (HOME, a session bus address) reaches the user's systemctl
    'env',
    '-i',
    'PATH=/usr/sbin:/usr/bin:/sbin:/bin',
    'LC_ALL=C',
    'SYSTEMD_COLORS=0',
    `XDG_RUNTIME_DIR=${runtimeDir(uid)}`,
    'systemctl',
    '--user',
    ...args,
  ]
}

export function systemctl(manager: ManagerRef, args: string[], options?: RunOptions): Promise<RunResult> {
  const [file, ...rest] = systemctlArgv(manager, args)
  return run(file, rest, options)
}
