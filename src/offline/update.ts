// Runs the package manager on the payload in update mode, its output passed through to the journal; a
// failure is an outcome to record and roll back, not an exception that would leave update mode unfinished.
import {run} from '../exec/run.js'
import {gatherTools, installCommand, payloadFiles} from './package-manager.js'
import type {OfflineRecord} from './record.js'

/** Set for the package manager's children: `nextroot restart --hook` restarts nothing in update mode. */
export const OFFLINE_UPDATE_ENV = 'NEXTROOT_OFFLINE_UPDATE'

export interface UpdateOutcome {
  ok: boolean
  command: string[]
  error?: string
}

export async function runUpdate(record: OfflineRecord, payloadDir: string): Promise<UpdateOutcome> {
  const command = installCommand(record.kind, payloadFiles(payloadDir, record.packages), await gatherTools())
  const [file, ...args] = command
  console.log(`nextroot: installing ${record.packages.map((p) => `${p.name} ${p.version}`).join(', ')}`)
  try {
    await run(file, args, {
      passthrough: true,
      env: {DEBIAN_FRONTEND: 'noninteractive', [OFFLINE_UPDATE_ENV]: record.id},
    })
    return {ok: true, command}
  } catch (error) {
    return {ok: false, command, error: error instanceof Error ? error.message : String(error)}
  }
}
