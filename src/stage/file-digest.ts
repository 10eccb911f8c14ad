// Hashes an open archive file on its own thread while the extraction reads it for headers and contents, so the
// main thread never touches the bytes being hashed. One small buffer, reused, stays in the CPU's cache.
import {Worker} from 'node:worker_threads'

import {workerEntry} from '../worker-entry.js'
import type {FileHashData} from './file-hash-worker.js'

/**
 * How far the hashing may run ahead of the tree worker's copies: every part of the file is read by both within
 * this window, so the second read finds it in the page cache and the disk is read once.
 */
const AHEAD = 64 * 1024 * 1024

export interface FileDigest {
  sha256: Promise<string>
  /** Stops the hashing early (after a failure or an interrupt); harmless once it finished. */
  stop(): Promise<void>
}

/** `copiedTo`: a BigInt64 the tree worker advances (see ArchiveFile); set it to `size` once extraction ended. */
export function fileDigest(fd: number, size: number, copiedTo: SharedArrayBuffer): FileDigest {
  const [entry, options] = workerEntry(import.meta.url, 'file-hash-worker')
  const workerData: FileHashData = {fd, size, copiedTo, ahead: AHEAD}
  const worker = new Worker(entry, {...options, workerData})
  const sha256 = new Promise<string>((resolve, reject) => {
    worker.once('message', resolve)
    worker.once('error', reject)
  })
  sha256.catch(() => undefined) // awaited by the caller on success; a stopped hash is nobody's failure
  return {sha256, stop: async () => void (await worker.terminate())}
}
