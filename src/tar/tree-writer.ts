// The only code that writes an extracted tree: never follows a symlink, keeps every path inside the root,
// and applies ownership, modes, xattrs and times in the order GNU tar and systemd's extractor use.
import {
  chmodSync,
  chownSync,
  closeSync,
  constants,
  fchmodSync,
  fchownSync,
  futimesSync,
  lchownSync,
  lutimesSync,
  mkdirSync,
  openSync,
  symlinkSync,
  utimesSync,
  writeSync,
} from 'node:fs'
import {
  chmod,
  lchown,
  link,
  lstat,
  mkdir,
  readFile,
  statfs,
  unlink,
  utimes,
  writeFile,
} from 'node:fs/promises'
import {join} from 'node:path'

import {NextrootError, errnoCode, noSpaceError} from '../errors.js'
import {run} from '../exec/run.js'
import {aclTextToXattr, parseIdTable, type IdTables} from './acl-text.js'
import {type EntryMeta, type PlannedEntry, unsafeLink} from './entry-policy.js'
import {xattrRestoreScript} from './xattr-restore.js'

type Known = 'dir' | 'other'

export interface TreeWriterOptions {
  /** Stop before the file system has less than this many bytes free (never fill the host's disk). */
  reserveBytes: number
}

const SPACE_CHECK_EVERY = 64 * 1024 * 1024
const NEW_FILE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW

export class TreeWriter {
  private readonly known = new Map<string, Known>([['', 'dir']])
  private readonly pending = new Map<string, Promise<void>>()
  private readonly dirMeta = new Map<string, EntryMeta>()
  private readonly xattrs = new Map<string, Map<string, Buffer>>()
  private readonly aclTexts = new Map<string, EntryMeta['aclText']>()
  private bytesSinceSpaceCheck = 0

  constructor(
    private readonly root: string,
    private readonly options: TreeWriterOptions,
  ) {}

  /**
   * Writes one planned entry; file contents come from `data` (whole buffer or a stream of chunks).
   * All bookkeeping happens before the first await, so callers may start the next write before this one
   * settles: later entries (hardlinks, children, replacements) wait for exactly the writes they depend on.
   */
  async write(entry: PlannedEntry, data?: Buffer | AsyncIterable<Buffer>): Promise<void> {
    if (entry.path !== '') this.ensureParent(entry.path)
    const before: Array<Promise<unknown> | undefined> = [this.pending.get(parentOf(entry.path))]
    if (entry.kind === 'directory') {
      if (this.known.get(entry.path) === 'other')
        throw replaced(entry.path, 'a directory would replace a non-directory')
      this.dirMeta.set(entry.path, entry.meta)
      this.recordXattrs(entry)
      if (this.known.get(entry.path) === 'dir') return
      this.known.set(entry.path, 'dir')
      return this.track(entry.path, before, async () => mkdirSync(this.abs(entry.path), 0o700))
    }

    if (entry.kind === 'hardlink') {
      const target = entry.linkTarget as string
      const kind = this.known.get(target)
      if (kind === undefined)
        throw unsafeLink(entry.path, `its target '${target}' is not earlier in the archive`)
      if (kind === 'dir') throw unsafeLink(entry.path, `its target '${target}' is a directory`)
      before.push(this.pending.get(target), this.claim(entry.path))
      return this.track(entry.path, before, () => link(this.abs(target), this.abs(entry.path)))
    }

    before.push(this.claim(entry.path))
    this.recordXattrs(entry)
    return this.track(entry.path, before, () => this.create(entry, this.abs(entry.path), data))
  }

  /** Applies what must come last: directory ownership and modes, xattrs and ACLs, then directory times. */
  async finish(): Promise<void> {
    await Promise.all(this.pending.values())
    const dirs = [...this.dirMeta.entries()].sort(([a], [b]) => depth(b) - depth(a))
    // Synchronous, like the writes: thousands of directories, each a thread-pool round trip per call otherwise.
    for (const [path, meta] of dirs) {
      chownSync(this.abs(path), meta.uid, meta.gid)
      chmodSync(this.abs(path), meta.mode)
    }

    await this.applyXattrs()
    for (const [path, meta] of dirs) utimesSync(this.abs(path), meta.atime, meta.mtime)
  }

  private abs(path: string): string {
    return path === '' ? this.root : join(this.root, path)
  }

  private async create(
    entry: PlannedEntry,
    path: string,
    data?: Buffer | AsyncIterable<Buffer>,
  ): Promise<void> {
    const {meta} = entry
    switch (entry.kind) {
      case 'file':
        return await this.file(path, meta, data)
      case 'symlink':
        symlinkSync(entry.linkTarget as string, path)
        lchownSync(path, meta.uid, meta.gid)
        return lutimesSync(path, meta.atime, meta.mtime)
      default:
        await run('mknod', ['-m', '0600', path, ...deviceArgs(entry)])
        await lchown(path, meta.uid, meta.gid)
        await chmod(path, meta.mode)
        return await utimes(path, meta.atime, meta.mtime)
    }
  }

  private async file(path: string, meta: EntryMeta, data?: Buffer | AsyncIterable<Buffer>): Promise<void> {
    if (Buffer.isBuffer(data) || data === undefined) {
      writeWholeFile(path, meta, data ?? Buffer.alloc(0))
      return this.checkSpace(data?.length ?? 0)
    }

    // Large files too are written synchronously as their chunks arrive: the parser has nothing else to do
    // meanwhile, and waiting for the thread pool left the main thread idle for a quarter of the run.
    const fd = openSync(path, NEW_FILE_FLAGS, 0o600)
    try {
      for await (const chunk of data) {
        writeAll(fd, chunk)
        await this.checkSpace(chunk.length)
      }

      setMetadata(fd, meta)
    } finally {
      closeSync(fd)
    }
  }

  /**
   * Every ancestor must be a directory this writer created (the tree starts empty and only we write it),
   * so no path is ever resolved through a symlink, including one the same archive made earlier.
   */
  private ensureParent(path: string): void {
    const parts = path.split('/')
    for (let i = 1; i < parts.length; i++) {
      const ancestor = parts.slice(0, i).join('/')
      const kind = this.known.get(ancestor)
      if (kind === 'dir') continue
      if (kind === 'other') {
        throw new NextrootError(
          'NR_UNSAFE_PATH',
          `Refusing archive entry '${path}': '${ancestor}' is not a directory.`,
          {
            hints: ['An entry may not be written through a symlink or a file, even one the archive created.'],
            details: {entry: path, through: ancestor},
          },
        )
      }

      // Like GNU tar, a member whose directory was not archived gets one: 0755, owned by root.
      this.known.set(ancestor, 'dir')
      const created = this.track(ancestor, [this.pending.get(parentOf(ancestor))], async () => {
        await mkdir(this.abs(ancestor), 0o755)
        await chmod(this.abs(ancestor), 0o755)
      })
      // A failure reaches the caller through the child's write, which waits for this directory.
      created.catch(() => undefined)
    }
  }

  /** A later member with the same name replaces an earlier non-directory, as with GNU tar. */
  private claim(path: string): Promise<void> | undefined {
    const existing = this.known.get(path)
    if (existing === 'dir') throw replaced(path, 'a non-directory would replace a directory')
    this.known.set(path, 'other')
    if (existing !== 'other') return undefined
    this.xattrs.delete(path)
    this.aclTexts.delete(path)
    const earlier = this.pending.get(path) ?? Promise.resolve()
    return earlier.then(() => unlink(this.abs(path)))
  }

  /** Runs `action` after its dependencies and remembers it until it settles. */
  private async track(
    path: string,
    before: Array<Promise<unknown> | undefined>,
    action: () => Promise<unknown>,
  ) {
    const done = (async () => {
      await Promise.all(before)
      try {
        await action()
      } catch (error) {
        if (errnoCode(error) === 'ENOSPC') throw noSpaceError(this.root, error)
        throw error
      }
    })()
    this.pending.set(path, done)
    try {
      await done
    } finally {
      if (this.pending.get(path) === done) this.pending.delete(path)
    }
  }

  private recordXattrs(entry: PlannedEntry): void {
    const {xattrs, aclText} = entry.meta
    const kept = entry.kind === 'symlink' ? withoutUserXattrs(xattrs) : xattrs
    if (kept.size > 0) this.xattrs.set(entry.path, kept)
    const textOnly = entry.kind === 'file' || entry.kind === 'directory'
    if (textOnly && (aclText.access || aclText.default)) this.aclTexts.set(entry.path, aclText)
  }

  /** Textual ACLs become binary xattrs (names resolved in the new root), then one setfattr applies all. */
  private async applyXattrs(): Promise<void> {
    if (this.aclTexts.size > 0) {
      const ids = await this.idTables()
      for (const [path, text] of this.aclTexts) {
        const xattrs = new Map(this.xattrs.get(path))
        if (text.access && !xattrs.has('system.posix_acl_access')) {
          xattrs.set('system.posix_acl_access', aclTextToXattr(text.access, ids))
        }

        if (text.default && !xattrs.has('system.posix_acl_default')) {
          xattrs.set('system.posix_acl_default', aclTextToXattr(text.default, ids))
        }

        this.xattrs.set(path, xattrs)
      }
    }

    if (this.xattrs.size === 0) return
    const script = join(this.root, '..', 'xattrs.restore')
    await writeFile(script, xattrRestoreScript(this.xattrs))
    await run('setfattr', ['-h', `--restore=${script}`], {cwd: this.root})
    await unlink(script)
  }

  /** The new root's own passwd/group: regular files this writer made, never a symlink, FIFO or device. */
  private async idTables(): Promise<IdTables> {
    const read = async (path: string) => {
      if (this.known.get('etc') !== 'dir' || this.known.get(path) !== 'other') return ''
      const stats = await lstat(this.abs(path))
      return stats.isFile() ? readFile(this.abs(path), 'utf8') : ''
    }
    return {users: parseIdTable(await read('etc/passwd')), groups: parseIdTable(await read('etc/group'))}
  }

  private async checkSpace(written: number): Promise<void> {
    this.bytesSinceSpaceCheck += written
    if (this.bytesSinceSpaceCheck < SPACE_CHECK_EVERY) return
    this.bytesSinceSpaceCheck = 0
    const stats = await statfs(this.root)
    const free = stats.bavail * stats.bsize
    if (free < this.options.reserveBytes) {
      throw new NextrootError(
        'NR_NO_SPACE',
        `Stopped: only ${mib(free)} MiB left on the store's file system.`,
        {
          hints: [
            'Free space there, or point --state-dir at a larger file system, then run the command again.',
          ],
          details: {freeBytes: free, reserveBytes: this.options.reserveBytes},
        },
      )
    }
  }
}

/**
 * Small files are written with synchronous calls, as GNU tar does: for a root tree of tens of thousands of
 * small files, a thread-pool round trip per call costs more than the I/O itself (measured: about 3x slower).
 */
function writeWholeFile(path: string, meta: EntryMeta, data: Buffer): void {
  const fd = openSync(path, NEW_FILE_FLAGS, 0o600)
  try {
    writeAll(fd, data)
    setMetadata(fd, meta)
  } finally {
    closeSync(fd)
  }
}

function writeAll(fd: number, data: Buffer): void {
  for (let offset = 0; offset < data.length;) offset += writeSync(fd, data, offset, data.length - offset)
}

/** Owner before mode (chown clears setuid/setgid), then times. */
function setMetadata(fd: number, meta: EntryMeta): void {
  fchownSync(fd, meta.uid, meta.gid)
  fchmodSync(fd, meta.mode)
  futimesSync(fd, meta.atime, meta.mtime)
}

function deviceArgs(entry: PlannedEntry): string[] {
  if (entry.kind === 'fifo') return ['p']
  return [entry.kind === 'char-device' ? 'c' : 'b', String(entry.devmajor), String(entry.devminor)]
}

function withoutUserXattrs(xattrs: Map<string, Buffer>): Map<string, Buffer> {
  return new Map([...xattrs].filter(([name]) => !name.startsWith('user.')))
}

function replaced(path: string, why: string): NextrootError {
  return new NextrootError('NR_UNSAFE_PATH', `Refusing archive entry '${path}': ${why}.`, {
    details: {entry: path},
  })
}

function parentOf(path: string): string {
  const slash = path.lastIndexOf('/')
  return slash === -1 ? '' : path.slice(0, slash)
}

function depth(path: string): number {
  return path === '' ? 0 : path.split('/').length
}

function mib(bytes: number): number {
  return Math.floor(bytes / 1024 / 1024)
}
