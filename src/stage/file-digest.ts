// Hashes an open archive file on its own thread while the extraction reads it for headers and contents, so the
// main thread never touches the bytes being hashed. One small buffer, reused, stays in the CPU's cache.
import {Worker} from 'node:worker_threads'

/** Hashes bytes [0, size) of `fd` and posts the hex SHA-256. */
const HASHER = `
const {parentPort, workerData: {fd, size}} = require('node:worker_threads')
const {readSync} = require('node:fs')
const hash = require('node:crypto').createHash('sha256')
const buffer = Buffer.allocUnsafeSlow(128 * 1024)
for (let position = 0; position < size;) {
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

export function fileDigest(fd: number, size: number): FileDigest {
  const worker = new Worker(HASHER, {eval: true, workerData: {fd, size}})
  const sha256 = new Promise<string>((resolve, reject) => {
    worker.once('message', resolve)
    worker.once('error', reject)
  })
  sha256.catch(() => undefined) // awaited by the caller on success; a stopped hash is nobody's failure
  return {sha256, stop: async () => void (await worker.terminate())}
}
