// Decides every step that writes an extracted tree (the tree worker carries them out, in order): never follows
// a symlink, keeps every path inside the root, and applies ownership, modes, xattrs and times in tar's order.
import {chmodSync, chownSync, utimesSync} from 'node:fs'
import {chmod, lchown, lstat, readFile, unlink, utimes, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {NextrootError, errnoCode, noSpaceError} from '../errors.js'
import {run} from '../exec/run.js'
import {mib} from '../format.js'
import {parseIdTable, type IdTables} from './acl-text.js'
import {type EntryMeta, type PlannedEntry, unsafeLink} from './entry-policy.js'
import {MAX_PIECE, TreeThread} from './tree-thread.js'
import type {ArchiveFile, OpMeta} from './tree-worker.js'
import {addTextAcls, xattrRestoreScript} from './xattr-restore.js'
import {BLOCK} from './ustar.js'

type Known = 'dir' | 'other'

export interface TreeWriterOptions {
  /** Stop before the file system has less than this many bytes free (never fill the host's disk). */
  reserveBytes: number
  /** The open file of a plain archive: file contents are copied from it, at each member's offset. */
  archive?: ArchiveFile
}

/** A member's contents as the parser hands them over, and where its header starts in the archive. */
export interface MemberData extends AsyncIterable<Buffer> {
  offset: number
  resume(): unknown
}

interface DeferredNode {
  entry: PlannedEntry
  meta: OpMeta
}

export class TreeWriter {
  private readonly known = new Map<string, Known>([['', 'dir']])
  private readonly dirMeta = new Map<string, EntryMeta>()
  private readonly xattrs = new Map<string, Map<string, Buffer>>()
  private readonly aclTexts = new Map<string, EntryMeta['aclText']>()
  /** Devices and FIFOs not made yet, by path. */
  private readonly nodes = new Map<string, DeferredNode>()
  private readonly thread: TreeThread

  constructor(
    private readonly root: string,
    private readonly options: TreeWriterOptions,
  ) {
    this.thread = new TreeThread(root, options.reserveBytes, options.archive)
  }

  /**
   * Checks one planned entry against the tree so far and queues its file-system steps for the tree worker,
   * which carries them out in archive order; a file's contents come from `data`, the member's chunks.
   * Resolves once queued: a failure of the worker surfaces on a later call or on `finish`.
   */
  async write(entry: PlannedEntry, data?: MemberData): Promise<void> {
    await this.thread.keepUp()
    this.throwFailure()
    if (entry.path !== '') this.ensureParent(entry.path)
    if (entry.kind === 'directory') {
      if (this.known.get(entry.path) === 'other')
        throw replaced(entry.path, 'a directory would replace a non-directory')
      this.dirMeta.set(entry.path, entry.meta)
      this.recordXattrs(entry)
      if (this.known.get(entry.path) === 'dir') return
      this.known.set(entry.path, 'dir')
      return this.thread.push({op: 'mkdir', path: entry.path, mode: 0o700, implicit: false})
    }

    if (entry.kind === 'hardlink') {
      const target = entry.linkTarget as string
      const kind = this.known.get(target)
      if (kind === undefined)
        throw unsafeLink(entry.path, `its target '${target}' is not earlier in the archive`)
      if (kind === 'dir') throw unsafeLink(entry.path, `its target '${target}' is a directory`)
      if (this.nodes.has(target)) await this.makeNodeNow(target)
      this.claim(entry.path)
      return this.thread.push({op: 'link', path: entry.path, target})
    }

    this.claim(entry.path)
    this.recordXattrs(entry)
    const meta = opMeta(entry.meta)
    switch (entry.kind) {
      case 'file':
        return await this.file(entry.path, entry.size, meta, data)
      case 'symlink':
        return this.thread.push({op: 'symlink', path: entry.path, target: entry.linkTarget as string, meta})
      default:
        // made at the end, all at once: each is a process, and the worker would have to catch up first
        this.nodes.set(entry.path, {entry, meta})
    }
  }

  /** Applies what must come last: devices and FIFOs, directory ownership and modes, xattrs, directory times. */
  async finish(): Promise<void> {
    await this.thread.flush()
    this.throwFailure()
    await this.thread.stop()
    await Promise.all([...this.nodes.values()].map((node) => this.makeNode(node)))
    const dirs = [...this.dirMeta.entries()].sort(([a], [b]) => depth(b) - depth(a))
    // Synchronous: thousands of directories, each a thread-pool round trip per call otherwise.
    for (const [path, meta] of dirs) {
      chownSync(this.abs(path), meta.uid, meta.gid)
      chmodSync(this.abs(path), meta.mode)
    }

    await this.applyXattrs()
    for (const [path, meta] of dirs) utimesSync(this.abs(path), meta.atime, meta.mtime)
  }

  /** Stops the worker after an error or an interrupt: nothing more is written. */
  async abort(): Promise<void> {
    await this.thread.stop()
  }

  private abs(path: string): string {
    return path === '' ? this.root : join(this.root, path)
  }

  /**
   * From a plain archive's file the worker copies the contents itself (the member is only skipped here);
   * otherwise a file goes over in one piece when it fits one, and a larger one is streamed through the ring.
   */
  private async file(path: string, size: number, meta: OpMeta, data?: MemberData): Promise<void> {
    if (this.options.archive && data) {
      data.resume()
      return this.thread.push({op: 'copy', path, meta, from: data.offset + BLOCK, length: size})
    }

    if (size <= MAX_PIECE) {
      const pieces: Buffer[] = []
      if (data) for await (const chunk of data) pieces.push(chunk)
      return await this.thread.pushData(size, pieces, (slice) => ({op: 'file', path, meta, ...slice}))
    }

    this.thread.push({op: 'open', path})
    for await (const chunk of data ?? []) {
      for (let offset = 0; offset < chunk.length; offset += MAX_PIECE) {
        const piece = chunk.subarray(offset, offset + MAX_PIECE)
        await this.thread.pushData(piece.length, [piece], (slice) => ({op: 'append', ...slice}))
      }

      this.throwFailure()
    }

    this.thread.push({op: 'close', meta})
  }

  /** A device or FIFO a later hardlink points to must exist first: made once the worker caught up. */
  private async makeNodeNow(path: string): Promise<void> {
    const node = this.nodes.get(path) as DeferredNode
    this.nodes.delete(path)
    await this.thread.flush()
    this.throwFailure()
    await this.makeNode(node)
  }

  /** Devices and FIFOs are rare, and Node has no mknod: made with mknod(1). */
  private async makeNode({entry, meta}: DeferredNode): Promise<void> {
    const path = this.abs(entry.path)
    try {
      await run('mknod', ['-m', '0600', path, ...deviceArgs(entry)])
      await lchown(path, meta.uid, meta.gid)
      await chmod(path, meta.mode)
      await utimes(path, meta.atime, meta.mtime)
    } catch (error) {
      throw errnoCode(error) === 'ENOSPC' ? noSpaceError(this.root, error) : error
    }
  }

  /**
   * Every ancestor must be a directory this writer created (the tree starts empty and only we write it),
   * so no path is ever resolved through a symlink, including one the same archive made earlier.
   */
  private ensureParent(path: string): void {
    // The common case: the parent is a known directory, so are its ancestors (none can ever be replaced).
    const slash = path.lastIndexOf('/')
    if (slash === -1 || this.known.get(path.slice(0, slash)) === 'dir') return
    for (let end = path.indexOf('/'); end !== -1; end = path.indexOf('/', end + 1)) {
      const ancestor = path.slice(0, end)
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
      this.thread.push({op: 'mkdir', path: ancestor, mode: 0o755, implicit: true})
    }
  }

  /** A later member with the same name replaces an earlier non-directory, as with GNU tar. */
  private claim(path: string): void {
    const existing = this.known.get(path)
    if (existing === 'dir') throw replaced(path, 'a non-directory would replace a directory')
    this.known.set(path, 'other')
    if (existing !== 'other') return
    this.xattrs.delete(path)
    this.aclTexts.delete(path)
    // a device or FIFO not made yet needs no removing
    if (!this.nodes.delete(path)) this.thread.push({op: 'unlink', path})
  }

  /** The worker's first failure, as the error the caller reports. */
  private throwFailure(): void {
    const failure = this.thread.failure
    if (!failure) return
    if (failure.kind === 'low-space') {
      throw new NextrootError(
        'NR_NO_SPACE',
        `Stopped: only ${mib(failure.freeBytes)} MiB left on the store's file system.`,
        {
          hints: [
            'Free space there, or point --state-dir at a larger file system, then run the command again.',
          ],
          details: {freeBytes: failure.freeBytes, reserveBytes: this.options.reserveBytes},
        },
      )
    }

    if (errnoCode(failure.error) === 'ESHORTREAD') {
      throw new NextrootError('NR_ARCHIVE_TRUNCATED', `The archive is truncated: ${failure.error.message}`, {
        hints: ['Download it again and verify it with --sha256 or --checksums.'],
      })
    }

    throw errnoCode(failure.error) === 'ENOSPC' ? noSpaceError(this.root, failure.error) : failure.error
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
    if (this.aclTexts.size > 0) addTextAcls(this.xattrs, this.aclTexts, await this.idTables())

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

function opMeta({uid, gid, mode, atime, mtime}: EntryMeta): OpMeta {
  return {uid, gid, mode, atime, mtime}
}

function depth(path: string): number {
  return path === '' ? 0 : path.split('/').length
}
