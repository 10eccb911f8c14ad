// How the host's cores are shared among guests: how many boot at once, and how many vCPUs each gets.
import {availableParallelism} from 'node:os'

/**
 * NEXTROOT_E2E_LANES guests at once (at most one per host core); one by default. Measured on 2 cores under
 * TCG: two lanes of one vCPU each made each guest 2.2-2.8x slower, so the phase took longer, not half.
 */
export function laneCount(): number {
  const asked = Number(process.env.NEXTROOT_E2E_LANES)
  return Number.isInteger(asked) && asked >= 1 ? Math.min(asked, availableParallelism()) : 1
}

/**
 * Two vCPUs for a guest alone; one per guest when lanes share the cores: more vCPU threads than cores
 * preempt a vCPU holding a guest spinlock while the others spin (a guest ran 2.8x slower that way).
 */
export const vcpus = (): string => process.env.NEXTROOT_E2E_SMP ?? (laneCount() > 1 ? '1' : '2')
