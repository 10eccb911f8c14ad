// Renders collected xattrs as a `setfattr --restore` script: one process applies every xattr of a tree,
// because Node has no xattr API and one process per file would be slow on SELinux-labelled images.
import {type IdTables, aclTextToXattr} from './acl-text.js'
import type {EntryMeta} from './entry-policy.js'

/** GNU tar's textual ACLs, as binary xattrs, for each path whose archive entry had no binary ACL of that kind. */
export function addTextAcls(
  xattrs: Map<string, Map<string, Buffer>>,
  texts: Map<string, EntryMeta['aclText']>,
  ids: IdTables,
): void {
  for (const [path, text] of texts) {
    const values = new Map(xattrs.get(path))
    if (text.access && !values.has('system.posix_acl_access'))
      values.set('system.posix_acl_access', aclTextToXattr(text.access, ids))
    if (text.default && !values.has('system.posix_acl_default'))
      values.set('system.posix_acl_default', aclTextToXattr(text.default, ids))
    xattrs.set(path, values)
  }
}

/** Escapes a path the way getfattr does: every byte outside printable ASCII, and backslash, as \ooo. */
export function escapeRestorePath(path: string): string {
  let out = ''
  for (const byte of Buffer.from(path, 'utf8')) {
    out +=
      byte > 0x20 && byte < 0x7f && byte !== 0x5c
        ? String.fromCharCode(byte)
        : `\\${byte.toString(8).padStart(3, '0')}`
  }

  return out
}

/** `# file: PATH` blocks with base64 values ("0s..."), relative to the tree root (setfattr runs there). */
export function xattrRestoreScript(xattrs: Map<string, Map<string, Buffer>>): string {
  const blocks: string[] = []
  for (const [path, values] of xattrs) {
    const lines = [`# file: ${escapeRestorePath(path === '' ? '.' : path)}`]
    for (const [name, value] of values) lines.push(`${escapeRestorePath(name)}=${encodeValue(value)}`)
    blocks.push(lines.join('\n'))
  }

  return blocks.join('\n\n') + '\n\n'
}

/** setfattr reads "0s..." as base64; an empty value must be written as "". */
function encodeValue(value: Buffer): string {
  return value.length === 0 ? '""' : `0s${value.toString('base64')}`
}
