// Pure rules that turn an untrusted tar header into a safe, normalised entry, or refuse it with a reason.
import type {Header} from 'tar-stream'

import {NextrootError} from '../errors.js'
import {paxBinaryValue} from './pax-bytes.js'

export type EntryKind =
  'file' | 'directory' | 'symlink' | 'hardlink' | 'char-device' | 'block-device' | 'fifo'

export interface EntryMeta {
  /** Permission bits including setuid, setgid and sticky (07777). */
  mode: number
  uid: number
  gid: number
  /** Seconds since the epoch, with the archive's sub-second part when it has one. */
  mtime: number
  atime: number
  /** Extended attributes, byte-exact, in archive order. ACLs appear here as system.posix_acl_*. */
  xattrs: Map<string, Buffer>
  /** POSIX ACLs in text form (SCHILY.acl.*), used only when the archive has no binary ACL xattr. */
  aclText: {access?: string; default?: string}
}

export interface PlannedEntry {
  kind: EntryKind
  /** Path relative to the tree root, without leading './' or trailing '/'; '' is the root itself. */
  path: string
  size: number
  /** Symlink: target as stored (never followed). Hardlink: normalised path of the target inside the tree. */
  linkTarget?: string
  devmajor: number
  devminor: number
  meta: EntryMeta
}

export interface PolicyOptions {
  /** Keep security.selinux labels (default); false drops them so the new root is relabelled. */
  keepSelinux: boolean
}

/** Deeper than this is refused: no real OS tree needs it, and it bounds work on hostile input. */
const MAX_DEPTH = 256

const KIND_OF: Record<string, EntryKind | undefined> = {
  file: 'file',
  'contiguous-file': 'file',
  directory: 'directory',
  symlink: 'symlink',
  link: 'hardlink',
  'character-device': 'char-device',
  'block-device': 'block-device',
  fifo: 'fifo',
}

function unsafePath(name: string, why: string): NextrootError {
  return new NextrootError('NR_UNSAFE_PATH', `Refusing archive entry '${name}': ${why}.`, {
    hints: [
      'The archive is not a plain root tree; rebuild it with relative member names (tar -C ROOT -cf ... .).',
    ],
    details: {entry: name},
  })
}

/** Normalises a member name to a tree-relative path; refuses absolute paths, '..' and NUL bytes. */
export function normaliseMemberName(name: string): string {
  if (name.includes('\0')) throw unsafePath(name, 'the name contains a NUL byte')
  if (name.startsWith('/')) throw unsafePath(name, 'absolute paths would point outside the new root')
  const parts = name.split('/').filter((part) => part !== '' && part !== '.')
  if (parts.includes('..')) throw unsafePath(name, "'..' components could escape the new root")
  if (parts.length > MAX_DEPTH) throw unsafePath(name, `it is nested deeper than ${MAX_DEPTH} levels`)
  return parts.join('/')
}

/**
 * Pax times carry nanoseconds, but Node sets times through libuv, which keeps microseconds and takes a double.
 * Returning the middle of the microsecond makes the double round to exactly the archive's microsecond.
 */
export function paxSeconds(value: string | undefined, fallback: number): number {
  const match = value === undefined ? null : /^(\d+)(?:\.(\d{1,9}))?$/.exec(value)
  if (!match) return fallback
  const micros = Number((match[2] ?? '').padEnd(9, '0').slice(0, 6))
  return Number(match[1]) + (micros + 0.5) / 1e6
}

/** xattrs from GNU tar (SCHILY.xattr.*, raw bytes) and libarchive (LIBARCHIVE.xattr.*, base64). */
function xattrsOf(pax: Record<string, string>, options: PolicyOptions): Map<string, Buffer> {
  const xattrs = new Map<string, Buffer>()
  for (const [key, value] of Object.entries(pax)) {
    let name: string | undefined
    let bytes: Buffer | undefined
    if (key.startsWith('SCHILY.xattr.')) {
      name = key.slice('SCHILY.xattr.'.length)
      bytes = paxBinaryValue(value)
    } else if (key.startsWith('LIBARCHIVE.xattr.')) {
      name = decodeURIComponent(key.slice('LIBARCHIVE.xattr.'.length))
      bytes = Buffer.from(value, 'base64')
    }

    if (name === undefined || bytes === undefined) continue
    if (!options.keepSelinux && name === 'security.selinux') continue
    xattrs.set(name, bytes)
  }

  return xattrs
}

function metaOf(header: Header, options: PolicyOptions): EntryMeta {
  const pax = (header.pax ?? {}) as Record<string, string>
  const headerSeconds = (header.mtime?.getTime() ?? 0) / 1000
  const mtime = paxSeconds(pax.mtime, headerSeconds)
  return {
    mode: (header.mode ?? 0o644) & 0o7777,
    uid: numericId(pax.uid, header.uid),
    gid: numericId(pax.gid, header.gid),
    mtime,
    atime: paxSeconds(pax.atime, mtime),
    xattrs: xattrsOf(pax, options),
    aclText: {access: pax['SCHILY.acl.access'], default: pax['SCHILY.acl.default']},
  }
}

/** Numeric owner only (like --numeric-owner): the pax value wins over the ustar field. */
function numericId(paxValue: string | undefined, headerValue: number | undefined): number {
  const id = paxValue === undefined ? headerValue : Number(paxValue)
  return Number.isSafeInteger(id) && (id as number) >= 0 ? (id as number) : 0
}

/** Decides what one archive member becomes in the tree; throws a NextrootError when it must be refused. */
export function planEntry(header: Header, options: PolicyOptions): PlannedEntry {
  const pax = (header.pax ?? {}) as Record<string, string>
  // tar-stream reports type flags it does not know (GNU 'S' sparse, 'V', 'M', ...) as null: never a file
  const kind = header.type ? KIND_OF[header.type] : undefined
  if (!kind || Object.keys(pax).some((key) => key.startsWith('GNU.sparse.'))) {
    throw new NextrootError(
      'NR_UNSUPPORTED_ENTRY',
      `Refusing archive entry '${header.name}': type '${header.type}' is not supported.`,
      {
        hints: ['Sparse and special GNU members are not supported; create the archive without --sparse.'],
        details: {entry: header.name, type: header.type},
      },
    )
  }

  const path = normaliseMemberName(header.name)
  const size = header.size ?? 0
  if (!Number.isSafeInteger(size) || size < 0) {
    throw new NextrootError(
      'NR_ARCHIVE_CORRUPT',
      `Archive entry '${header.name}' declares an invalid size.`,
      {
        details: {entry: header.name, size},
      },
    )
  }

  if (path === '' && kind !== 'directory') throw unsafePath(header.name, 'only a directory can be the root')
  const entry: PlannedEntry = {
    kind,
    path,
    size: kind === 'file' ? size : 0,
    devmajor: header.devmajor ?? 0,
    devminor: header.devminor ?? 0,
    meta: metaOf(header, options),
  }
  if (kind === 'symlink') {
    if (!header.linkname) throw unsafePath(header.name, 'the symlink has no target')
    entry.linkTarget = header.linkname
  }

  if (kind === 'hardlink') {
    const target = linkTargetOf(header)
    if (target === '' || target === path) throw unsafeLink(header.name, 'its target is the root or itself')
    entry.linkTarget = target
  }

  return entry
}

/** A hardlink's target as a tree path; one that is absolute or climbs out is refused as an unsafe link. */
function linkTargetOf(header: Header): string {
  try {
    return normaliseMemberName(header.linkname ?? '')
  } catch (error) {
    if (!(error instanceof NextrootError)) throw error
    throw unsafeLink(header.name, `its target '${header.linkname}' is outside the new root`)
  }
}

export function unsafeLink(name: string, why: string): NextrootError {
  return new NextrootError('NR_UNSAFE_LINK', `Refusing hardlink '${name}': ${why}.`, {
    hints: ['A hardlink may only point at a file that appears earlier in the same archive.'],
    details: {entry: name},
  })
}
