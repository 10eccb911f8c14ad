// Who a process belongs to, from its cgroup (pure): PID 1, a system unit, a user's manager itself, a unit of a
// user's manager, or a session or scope (which no restart reaches: its user logs out and in).
export type Owner =
  | {kind: 'init'}
  | {kind: 'system-unit'; unit: string}
  | {kind: 'user-manager'; uid: number}
  | {kind: 'user-unit'; uid: number; unit: string}
  | {kind: 'session'; unit: string; uid?: number}
  | {kind: 'none'}

const USER_MANAGER = /^user@(\d+)\.service$/
const UNIT = /\.(service|scope)$/

/** The owner of a process whose cgroup v2 path is `cgroup` ("/system.slice/nginx.service", ...). */
export function ownerOf(cgroup: string): Owner {
  if (cgroup === '/init.scope') return {kind: 'init'}
  const parts = cgroup.split('/').filter(Boolean)
  const at = parts.findIndex((part) => USER_MANAGER.test(part))
  if (at !== -1) {
    const uid = Number(USER_MANAGER.exec(parts[at])?.[1])
    const below = parts.slice(at + 1)
    if (below.length === 0 || (below.length === 1 && below[0] === 'init.scope'))
      return {kind: 'user-manager', uid}
    const unit = [...below].reverse().find((part) => UNIT.test(part))
    if (!unit) return {kind: 'none'}
    return unit.endsWith('.service') ? {kind: 'user-unit', uid, unit} : {kind: 'session', unit, uid}
  }

  const unit = [...parts].reverse().find((part) => UNIT.test(part))
  if (!unit) return {kind: 'none'}
  if (unit.endsWith('.service')) return {kind: 'system-unit', unit}
  const uid = /^user-(\d+)\.slice$/.exec(parts.find((p) => p.startsWith('user-')) ?? '')?.[1]
  return {kind: 'session', unit, uid: uid === undefined ? undefined : Number(uid)}
}
