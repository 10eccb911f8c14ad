// Hashes an open archive file on its own thread while the extraction reads it for headers and contents, so the
// main thread never touches the bytes being hashed. One small buffer, reused, stays in the CPU's cache.
import {Worker} from 'node:worker_threads'

/**
 * How far the hashing may run ahead of the tree worker's copies: every part of the file is read by both within
 * this window, so the second read finds it in the page cache and the disk is read once.
 */
const AHEAD = 64 * 1024 * 1024

/** Hashes bytes [0, size) of `fd`, never more than AHEAD past `copiedTo`, and posts the hex SHA-256. */
const HASHER = `
const {parentPort, workerData: {fd, size, copiedTo, ahead}} = require('node:worker_threads')
const {readSync} = require('node:fs')
const hash = require('node:crypto').createHash('sha256')
const buffer = Buffer.allocUnsafeSlow(128 * 1024)
const copied = new BigInt64Array(copiedTo)
for (let position = 0; position < size;) {
  for (let now; (now = Atomics.load(copied, 0)) + BigInt(ahead) < BigInt(position);) Atomics.wait(copied, 0, now, 100)
  const read = readSync(fd, buffer, 0, Math.min(buffer.length, size - position), position)
  if (read === 0) break
  hash.update(buffer.subarray(0, read))
  position += read
}
parentPort.postMessage(hash.digest('hex'))
`

export interface FileDigest {
  sha256: Promise<string>
  /** Stops the hashing early (after a failure or an interrupt); harmless once it finished. */
  stop(): Promise<void>
}

/** `copiedTo`: a BigInt64 the tree worker advances (see ArchiveFile); set it to `size` once extraction ended. */
export function fileDigest(fd: number, size: number, copiedTo: SharedArrayBuffer): FileDigest {
  const worker = new Worker(HASHER, {eval: true, workerData: {fd, size, copiedTo, ahead: AHEAD}})
  const sha256 = new Promise<string>((resolve, reject) => {
    worker.once('message', resolve)
    worker.once('error', reject)
  })
  sha256.catch(() => undefined) // awaited by the caller on success; a stopped hash is nobody's failure
  return {sha256, stop: async () => void (await worker.terminate())}
}
