// The main thread's side of the tree worker: queues file-system steps in order, hands file contents over
// through one fixed shared ring (memory stays bounded whatever the archive), waits when it is full or far behind.
import {Worker} from 'node:worker_threads'

import {workerEntry} from '../worker-entry.js'

import type {
  ArchiveFile,
  RingSlice,
  TreeBatch,
  TreeOp,
  TreeWorkerData,
  TreeWorkerMessage,
} from './tree-worker.js'

const RING = 4 * 1024 * 1024
/** The largest piece handed over at once; a file up to this size goes over in one piece. */
export const MAX_PIECE = RING / 8
/** A batch is sent once it holds this many steps or bytes, so the worker starts while parsing goes on. */
const BATCH_OPS = 256
const BATCH_BYTES = 1024 * 1024
/** Steps that carry no data (or read it from the archive file) don't fill the ring: this bounds them. */
const MAX_BATCHES_QUEUED = 16

type TreeFailure = {kind: 'error'; error: Error} | {kind: 'low-space'; freeBytes: number}

export class TreeThread {
  private readonly ring = new SharedArrayBuffer(RING)
  private readonly bytes = new Uint8Array(this.ring)
  private readonly worker: Worker
  /** Ring positions only grow; the physical offset is the position modulo the ring's size. */
  private head = 0
  /** Everything before this position was written by the worker and may be reused. */
  private tail = 0
  /** The ring position after the last slice queued: what the worker frees once the queue is done. */
  private queuedEnd = 0
  private queue: TreeOp[] = []
  private queuedBytes = 0
  private sent = 0
  private done = 0
  private wake?: () => void
  failure?: TreeFailure

  constructor(root: string, reserveBytes: number, archive?: ArchiveFile) {
    const [entry, options] = workerEntry(import.meta.url, 'tree-worker')
    this.worker = new Worker(entry, {
      ...options,
      resourceLimits: {maxYoungGenerationSizeMb: 2, maxOldGenerationSizeMb: 16},
      workerData: {root, ring: this.ring, reserveBytes, archive} satisfies TreeWorkerData,
    })
    this.worker.on('message', (message: TreeWorkerMessage) => {
      if ('done' in message) {
        this.done = message.done
        this.tail = message.end
      } else if ('lowSpace' in message) {
        this.failure ??= {kind: 'low-space', freeBytes: message.lowSpace}
      } else {
        this.failure ??= {
          kind: 'error',
          error: Object.assign(new Error(message.failure.message), message.failure),
        }
      }

      this.notify()
    })
    this.worker.on('error', (error) => {
      this.failure ??= {kind: 'error', error}
      this.notify()
    })
    this.worker.on('exit', () => {
      this.failure ??= {kind: 'error', error: new Error('The tree worker stopped before the archive ended.')}
      this.notify()
    })
  }

  /** Queues a step that carries no file contents. */
  push(op: TreeOp): void {
    this.queue.push(op)
    if (this.queue.length >= BATCH_OPS) this.send()
  }

  /** Waits while the worker is far behind: call once per entry. */
  async keepUp(): Promise<void> {
    while (this.sent - this.done >= MAX_BATCHES_QUEUED && !this.failure) await this.nextMessage()
  }

  /**
   * Copies `length` bytes from `pieces` into the ring and queues the step `make` builds around them.
   * `length` is at most MAX_PIECE; the pieces must add up to it.
   */
  async pushData(length: number, pieces: Buffer[], make: (slice: RingSlice) => TreeOp): Promise<void> {
    const at = await this.reserve(length)
    let offset = at
    for (const piece of pieces) {
      this.bytes.set(piece, offset)
      offset += piece.length
    }

    this.queuedEnd = this.head
    this.queuedBytes += length
    this.queue.push(make({at, length}))
    if (this.queue.length >= BATCH_OPS || this.queuedBytes >= BATCH_BYTES) this.send()
  }

  /** Resolves once every queued step was carried out; rejects with nothing, see `failure`. */
  async flush(): Promise<void> {
    this.send()
    while (this.done < this.sent && !this.failure) await this.nextMessage()
  }

  /**
   * Stops the worker; a step it is in the middle of completes, nothing after it starts. Whoever waits for it
   * (a flush, a full ring) wakes up to a failure.
   */
  async stop(): Promise<void> {
    this.worker.removeAllListeners('exit')
    this.failure ??= {kind: 'error', error: new Error('The tree worker was stopped.')}
    this.notify()
    await this.worker.terminate()
  }

  private async reserve(length: number): Promise<number> {
    let at = this.head % RING
    if (at + length > RING) {
      this.head += RING - at
      at = 0
    }

    while (this.head + length - this.tail > RING && !this.failure) {
      this.send()
      await this.nextMessage()
    }

    this.head += length
    return at
  }

  private send(): void {
    if (this.queue.length === 0) return
    const batch: TreeBatch = {seq: ++this.sent, end: this.queuedEnd, ops: this.queue}
    this.worker.postMessage(batch)
    this.queue = []
    this.queuedBytes = 0
  }

  private nextMessage(): Promise<void> {
    return new Promise((resolve) => (this.wake = resolve))
  }

  private notify(): void {
    const wake = this.wake
    this.wake = undefined
    wake?.()
  }
}
