// The thread that hashes a streamed archive for DigestTap: it is told which slot of the shared buffer holds
// the next bytes, hashes them in order and acknowledges each; `null` asks for the digest.
import {createHash} from 'node:crypto'
import {parentPort, workerData} from 'node:worker_threads'

/** A filled slot of the shared buffer. */
export interface Slot {
  offset: number
  length: number
}

/** To the worker: a slot to hash, or null for the digest. From it: the length hashed, or the hex digest. */
export type SlotMessage = Slot | null
export type SlotReply = number | string

const shared = workerData as SharedArrayBuffer
const hash = createHash('sha256')
parentPort?.on('message', (piece: SlotMessage) => {
  if (piece === null) {
    parentPort?.postMessage(hash.digest('hex') satisfies SlotReply)
    return
  }

  hash.update(new Uint8Array(shared, piece.offset, piece.length))
  parentPort?.postMessage(piece.length satisfies SlotReply)
})
