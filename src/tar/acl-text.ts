// Converts GNU tar's textual POSIX ACLs into the kernel's binary xattr form, so one mechanism applies both.
import {NextrootError} from '../errors.js'

/** Tags and layout of `system.posix_acl_*` values (linux/posix_acl_xattr.h). */
const TAG = {user_obj: 0x01, user: 0x02, group_obj: 0x04, group: 0x08, mask: 0x10, other: 0x20} as const
const XATTR_VERSION = 2
const UNDEFINED_ID = 0xffffffff

/** Name -> numeric id tables, read from the new root's /etc/passwd and /etc/group. */
export interface IdTables {
  users: Map<string, number>
  groups: Map<string, number>
}

/** Parses passwd/group text ("name:x:id:...") into a name -> id map. */
export function parseIdTable(text: string): Map<string, number> {
  const table = new Map<string, number>()
  for (const line of text.split('\n')) {
    const [name, , id] = line.split(':')
    if (name && id !== undefined && /^\d+$/.test(id)) table.set(name, Number(id))
  }

  return table
}

function resolveId(qualifier: string, table: Map<string, number>, entry: string): number {
  if (/^\d+$/.test(qualifier)) return Number(qualifier)
  const id = table.get(qualifier)
  if (id === undefined) {
    throw new NextrootError(
      'NR_ARCHIVE_CORRUPT',
      `ACL entry '${entry}' names '${qualifier}', unknown in the new root.`,
      {
        hints: ['Create the archive with --xattrs so ACLs carry numeric ids.'],
      },
    )
  }

  return id
}

function permBits(perms: string): number {
  return (perms.includes('r') ? 4 : 0) | (perms.includes('w') ? 2 : 0) | (perms.includes('x') ? 1 : 0)
}

/** "user::rwx\nuser:bin:r-x\n..." -> the `system.posix_acl_*` value the kernel stores. */
export function aclTextToXattr(text: string, ids: IdTables): Buffer {
  const entries: Array<{tag: number; perm: number; id: number}> = []
  for (const raw of text.split(/[\n,]/)) {
    const line = raw.replace(/#.*/, '').trim()
    if (!line) continue
    const [type, qualifier = '', perms = ''] = line.split(':')
    const key = `${type}${qualifier ? '' : '_obj'}`
    switch (key) {
      case 'user_obj':
      case 'group_obj':
      case 'mask_obj':
      case 'other_obj': {
        const tag = key === 'mask_obj' ? TAG.mask : key === 'other_obj' ? TAG.other : TAG[key]
        entries.push({tag, perm: permBits(perms), id: UNDEFINED_ID})
        break
      }

      case 'user':
      case 'group': {
        const table = key === 'user' ? ids.users : ids.groups
        entries.push({tag: TAG[key], perm: permBits(perms), id: resolveId(qualifier, table, line)})
        break
      }

      default:
        throw new NextrootError('NR_ARCHIVE_CORRUPT', `Unreadable ACL entry '${line}'.`)
    }
  }

  entries.sort((a, b) => a.tag - b.tag || a.id - b.id)
  const value = Buffer.alloc(4 + entries.length * 8)
  value.writeUInt32LE(XATTR_VERSION, 0)
  for (const [index, entry] of entries.entries()) {
    const offset = 4 + index * 8
    value.writeUInt16LE(entry.tag, offset)
    value.writeUInt16LE(entry.perm, offset + 2)
    value.writeUInt32LE(entry.id, offset + 4)
  }

  return value
}
