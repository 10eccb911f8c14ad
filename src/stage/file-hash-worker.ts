// The thread that hashes an archive file read apart (see file-digest.ts): it reads the file through one small
// reused buffer, never more than `ahead` bytes past the tree worker's copies, and posts the hex SHA-256.
import {createHash} from 'node:crypto'
import {readSync} from 'node:fs'
import {parentPort, workerData} from 'node:worker_threads'

export interface FileHashData {
  fd: number
  size: number
  /** One BigInt64 the tree worker advances: how far it has copied the file. */
  copiedTo: SharedArrayBuffer
  ahead: number
}

const BUFFER = 128 * 1024
/** How long to wait at most for the copies to move on before looking again. */
const WAIT_MS = 100

const {fd, size, copiedTo, ahead} = workerData as FileHashData
const copied = new BigInt64Array(copiedTo)
const hash = createHash('sha256')
const buffer = Buffer.allocUnsafeSlow(BUFFER)
for (let position = 0; position < size;) {
  for (let now; (now = Atomics.load(copied, 0)) + BigInt(ahead) < BigInt(position);)
    Atomics.wait(copied, 0, now, WAIT_MS)
  const read = readSync(fd, buffer, 0, Math.min(buffer.length, size - position), position)
  if (read === 0) break
  hash.update(buffer.subarray(0, read))
  position += read
}

parentPort?.postMessage(hash.digest('hex'))
