// Makes stage/unstage exclusive per state directory. The lock is an abstract Unix socket name: the kernel
// frees it when the holder dies, even by kill -9, so a crashed run never leaves a stale lock behind.
import {createHash} from 'node:crypto'
import {readFile, writeFile} from 'node:fs/promises'
import {type Server, createServer} from 'node:net'

import {unlessAbsent} from '../absent.js'
import {NextrootError, errnoCode} from '../errors.js'

export interface Lock {
  release(): Promise<void>
}

function lockName(stateDir: string): string {
  return `\0nextroot-${createHash('sha256').update(stateDir).digest('hex').slice(0, 32)}`
}

async function listen(server: Server, name: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    server.once('error', (error) => (errnoCode(error) === 'EADDRINUSE' ? resolve(false) : reject(error)))
    server.listen(name, () => resolve(true))
  })
}

/** Takes the lock of `stateDir` or throws NR_LOCKED naming the holder; `infoFile` records who holds it. */
export async function acquireLock(stateDir: string, infoFile: string, operation: string): Promise<Lock> {
  const server = createServer()
  if (!(await listen(server, lockName(stateDir)))) {
    const holder = (await unlessAbsent(infoFile, readFile(infoFile, 'utf8'))) ?? 'holder unknown'
    throw new NextrootError('NR_LOCKED', `Another nextroot is working on ${stateDir} (${holder.trim()}).`, {
      hints: ['Wait for it to finish, then run the command again.'],
    })
  }

  server.unref()
  await writeFile(infoFile, `pid ${process.pid}, ${operation}, since ${new Date().toISOString()}\n`)
  return {
    release: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
