// Every running user manager (user@UID.service), and whether it may be talked to as that user: its private
// socket must be a socket the user owns, reached through directories the user owns, with no symlink on the
// way. A user who points it elsewhere (at the system manager's socket, say) is refused and reported.
import {lstat, readFile} from 'node:fs/promises'
import {join} from 'node:path'

import {unlessAbsent} from '../absent.js'
import {type ManagerRef, runtimeDir} from './manager-ref.js'

const USER_MANAGER = /^user@(\d+)\.service$/

export type UserManager =
  | {uid: number; user: string; ref: Extract<ManagerRef, {kind: 'user'}>}
  | {uid: number; user: string; refused: string}

/** What lstat says of one path on the way to the private socket. */
export interface PathFact {
  path: string
  kind: 'directory' | 'socket' | 'symlink' | 'other' | 'absent'
  uid?: number
}

/** The reason to refuse a user's manager, or undefined: each path must be what it should be, owned by `uid`. */
export function judgeSocketPath(facts: PathFact[], uid: number): string | undefined {
  for (const [i, fact] of facts.entries()) {
    const want = i === facts.length - 1 ? 'socket' : 'directory'
    if (fact.kind !== want)
      return `${fact.path} is ${fact.kind === 'absent' ? 'missing' : `a ${fact.kind}`}, not a ${want}`
    if (fact.uid !== uid) return `${fact.path} is owned by uid ${fact.uid}, not ${uid}`
  }

  return undefined
}

async function pathFact(path: string): Promise<PathFact> {
  const stats = await unlessAbsent(path, lstat(path))
  if (!stats) return {path, kind: 'absent'}
  const kind = stats.isSymbolicLink()
    ? 'symlink'
    : stats.isDirectory()
      ? 'directory'
      : stats.isSocket()
        ? 'socket'
        : 'other'
  return {path, kind, uid: stats.uid}
}

/** /run/user/UID, its systemd/ and systemd/private, as lstat sees them under `hostRoot`. */
export async function socketPathFacts(hostRoot: string, uid: number): Promise<PathFact[]> {
  const dir = runtimeDir(uid)
  return Promise.all(
    [dir, `${dir}/systemd`, `${dir}/systemd/private`].map((p) => pathFact(join(hostRoot, p))),
  )
}

/** name and primary gid by uid, from the root's passwd. */
async function accounts(hostRoot: string): Promise<Map<number, {user: string; gid: number}>> {
  const path = join(hostRoot, 'etc/passwd')
  const text = (await unlessAbsent(path, readFile(path, 'utf8'))) ?? ''
  const rows = text.split('\n').map((line) => line.split(':'))
  return new Map(
    rows.filter((r) => r.length >= 4).map((r) => [Number(r[2]), {user: r[0], gid: Number(r[3])}]),
  )
}

/** The UIDs of the running user managers among the system manager's units (name -> ActiveState). */
export function runningUserManagers(active: Map<string, string>): number[] {
  return [...active]
    .filter(([, state]) => state === 'active')
    .map(([unit]) => USER_MANAGER.exec(unit)?.[1])
    .filter((uid): uid is string => uid !== undefined)
    .map(Number)
    .sort((a, b) => a - b)
}

/** The user managers of `uids`, each judged: talked to, or refused with the reason. */
export async function userManagers(hostRoot: string, uids: number[]): Promise<UserManager[]> {
  const users = await accounts(hostRoot)
  return Promise.all(
    uids.map(async (uid): Promise<UserManager> => {
      const account = users.get(uid)
      const user = account?.user ?? String(uid)
      const refused = account
        ? judgeSocketPath(await socketPathFacts(hostRoot, uid), uid)
        : `uid ${uid} has no entry in /etc/passwd`
      if (refused || !account) return {uid, user, refused: refused ?? 'no account'}
      return {uid, user, ref: {kind: 'user', uid, gid: account.gid, user}}
    }),
  )
}
