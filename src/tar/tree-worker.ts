// The thread that performs an extraction's file-system calls, in archive order, while the main thread parses
// the archive: tar does both on one thread, and here the calls alone cost as much as all of tar's run.
import {
  chmodSync,
  closeSync,
  constants,
  fchmodSync,
  fchownSync,
  futimesSync,
  lchownSync,
  linkSync,
  lutimesSync,
  mkdirSync,
  openSync,
  readSync,
  statfsSync,
  symlinkSync,
  unlinkSync,
  writeSync,
} from 'node:fs'
import {parentPort, workerData} from 'node:worker_threads'

/** Ownership, mode and times of a created entry (its xattrs are applied later, all at once). */
export interface OpMeta {
  uid: number
  gid: number
  mode: number
  atime: number
  mtime: number
}

/** File contents travel in the shared ring: `at` is the offset of `length` bytes in it. */
export interface RingSlice {
  at: number
  length: number
}

/** One file-system step; paths are relative to the tree root and were checked by the tree writer. */
export type TreeOp =
  | {op: 'mkdir'; path: string; mode: number; implicit: boolean}
  | ({op: 'file'; path: string; meta: OpMeta} & RingSlice)
  | {op: 'copy'; path: string; meta: OpMeta; from: number; length: number}
  | {op: 'open'; path: string}
  | ({op: 'append'} & RingSlice)
  | {op: 'close'; meta: OpMeta}
  | {op: 'symlink'; path: string; target: string; meta: OpMeta}
  | {op: 'link'; path: string; target: string}
  | {op: 'unlink'; path: string}

/** Ops in order, and the ring offset up to which the main thread may reuse the ring once they are done. */
export interface TreeBatch {
  seq: number
  end: number
  ops: TreeOp[]
}

export type TreeWorkerMessage =
  | {done: number; end: number}
  | {failure: {code?: string; message: string; path?: string; syscall?: string}}
  | {lowSpace: number}

export interface ArchiveFile {
  fd: number
  /** One BigInt64: the file offset up to which contents were copied (see src/stage/file-digest.ts). */
  copiedTo: SharedArrayBuffer
}

export interface TreeWorkerData {
  root: string
  ring: SharedArrayBuffer
  reserveBytes: number
  /** A plain archive's open file, which 'copy' steps read contents from, and where the worker publishes how far. */
  archive?: ArchiveFile
}

const SPACE_CHECK_EVERY = 64 * 1024 * 1024
const NEW_FILE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW

const {root, ring, reserveBytes, archive} = workerData as TreeWorkerData
const copiedTo = archive && new BigInt64Array(archive.copiedTo)
const bytes = new Uint8Array(ring)
/** Reused for every copy, so it stays in the CPU's cache: a copy through fresh memory costs several times more. */
const copyBuffer = Buffer.allocUnsafeSlow(32 * 1024)
let openFile: number | undefined
let sinceSpaceCheck = 0
let failed = false

const abs = (path: string) => (path === '' ? root : `${root}/${path}`)

function writeSlice(fd: number, {at, length}: RingSlice): void {
  for (let done = 0; done < length;) done += writeSync(fd, bytes, at + done, length - done)
  sinceSpaceCheck += length
}

/** Copies `length` bytes of the archive from offset `from`, as tar does: read into one small buffer, write. */
function copyRange(fd: number, from: number, length: number): void {
  for (let done = 0; done < length;) {
    const read = readSync(
      archive?.fd as number,
      copyBuffer,
      0,
      Math.min(copyBuffer.length, length - done),
      from + done,
    )
    if (read === 0) throw Object.assign(new Error('a member ends after the file.'), {code: 'ESHORTREAD'})
    for (let written = 0; written < read;) written += writeSync(fd, copyBuffer, written, read - written)
    done += read
  }

  sinceSpaceCheck += length
  if (copiedTo) {
    Atomics.store(copiedTo, 0, BigInt(from + length))
    Atomics.notify(copiedTo, 0)
  }
}

/** Owner before mode (chown clears setuid/setgid), then times. */
function setMetadata(fd: number, meta: OpMeta): void {
  fchownSync(fd, meta.uid, meta.gid)
  fchmodSync(fd, meta.mode)
  futimesSync(fd, meta.atime, meta.mtime)
}

function apply(op: TreeOp): void {
  switch (op.op) {
    case 'mkdir':
      mkdirSync(abs(op.path), op.mode)
      // Like GNU tar, a directory the archive did not list gets 0755 whatever the umask.
      if (op.implicit) chmodSync(abs(op.path), op.mode)
      return
    case 'file': {
      const fd = openSync(abs(op.path), NEW_FILE_FLAGS, 0o600)
      try {
        writeSlice(fd, op)
        setMetadata(fd, op.meta)
      } finally {
        closeSync(fd)
      }

      return
    }

    case 'copy': {
      const fd = openSync(abs(op.path), NEW_FILE_FLAGS, 0o600)
      try {
        copyRange(fd, op.from, op.length)
        setMetadata(fd, op.meta)
      } finally {
        closeSync(fd)
      }

      return
    }

    case 'open':
      openFile = openSync(abs(op.path), NEW_FILE_FLAGS, 0o600)
      return
    case 'append':
      return writeSlice(openFile as number, op)
    case 'close': {
      const fd = openFile as number
      openFile = undefined
      try {
        setMetadata(fd, op.meta)
      } finally {
        closeSync(fd)
      }

      return
    }

    case 'symlink':
      symlinkSync(op.target, abs(op.path))
      lchownSync(abs(op.path), op.meta.uid, op.meta.gid)
      return lutimesSync(abs(op.path), op.meta.atime, op.meta.mtime)
    case 'link':
      return linkSync(abs(op.target), abs(op.path))
    case 'unlink':
      return unlinkSync(abs(op.path))
  }
}

/** Stops before the file system has less than the reserve left (never fill the host's disk). */
function spaceLeft(): number | undefined {
  if (sinceSpaceCheck < SPACE_CHECK_EVERY) return undefined
  sinceSpaceCheck = 0
  const stats = statfsSync(root)
  const free = stats.bavail * stats.bsize
  return free < reserveBytes ? free : undefined
}

function describe(error: unknown): Extract<TreeWorkerMessage, {failure: unknown}>['failure'] {
  const {code, message, path, syscall} = error as NodeJS.ErrnoException
  return {code, message: String(message ?? error), path, syscall}
}

/** After the first failure nothing more is written; batches are still answered so no one waits for ever. */
parentPort?.on('message', ({seq, end, ops}: TreeBatch) => {
  for (const op of ops) {
    if (failed) break
    try {
      apply(op)
      const lowSpace = spaceLeft()
      if (lowSpace !== undefined) {
        failed = true
        parentPort?.postMessage({lowSpace} satisfies TreeWorkerMessage)
      }
    } catch (error) {
      failed = true
      parentPort?.postMessage({failure: describe(error)} satisfies TreeWorkerMessage)
    }
  }

  parentPort?.postMessage({done: seq, end} satisfies TreeWorkerMessage)
})
