// Where nextroot keeps its own state inside the state directory: one definition every command reads.
import {join} from 'node:path'

import type {Locations} from '../locations.js'

export type StateLayout = ReturnType<typeof stateLayout>

/**
 * Where `nextroot reboot` assembles the carried tree before a switch: beside the nextroot path in /run (a
 * tmpfs the switch keeps, off the store's file system, so no bind mount ever loops back into /var).
 */
export function armedPath(locations: Pick<Locations, 'nextroot'>): string {
  return `${locations.nextroot}.armed`
}

/**
 * Packages the package manager changed since the last `nextroot restart` (written by the apt hook): in /run,
 * so a full reboot, which restarts everything anyway, forgets them.
 */
export function changedPackagesPath(locations: Pick<Locations, 'nextroot'>): string {
  return `${locations.nextroot}.packages`
}

export function stateLayout(locations: Locations) {
  const {stateDir} = locations
  return {
    store: join(stateDir, 'store'),
    mounts: join(stateDir, 'mnt'),
    record: join(stateDir, 'staged.json'),
    lockInfo: join(stateDir, 'lock'),
    /** The switch `nextroot reboot` triggered, until the new userspace has checked it. */
    pendingSwitch: join(stateDir, 'switch.json'),
    /** One JSON line per switch: what, when, how long, healthy or not. */
    history: join(stateDir, 'history.jsonl'),
    /** The record of the root a soft reboot switched into: its tree is the running root now. */
    running: join(stateDir, 'running.json'),
  }
}
