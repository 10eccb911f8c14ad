// How the host's cores are shared among guests: how many boot at once, and how many vCPUs each gets.
import {availableParallelism} from 'node:os'

/** NEXTROOT_E2E_LANES guests at once; by default one per host core, at most 2 (memory: 1.5 GB each). */
export function laneCount(): number {
  const asked = Number(process.env.NEXTROOT_E2E_LANES)
  if (Number.isInteger(asked) && asked >= 1) return asked
  return Math.min(2, Math.max(1, availableParallelism()))
}

/**
 * Two vCPUs for a guest alone; one per guest when lanes share the cores: more vCPU threads than cores
 * preempt a vCPU holding a guest spinlock while the others spin (a guest ran 2.8x slower that way).
 */
export const vcpus = (): string => process.env.NEXTROOT_E2E_SMP ?? (laneCount() > 1 ? '1' : '2')
