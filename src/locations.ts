// Every system path nextroot touches, with its default; tests and containers point them elsewhere.
import {resolve} from 'node:path'

export const DEFAULT_NEXTROOT = '/run/nextroot'
export const DEFAULT_STATE_DIR = '/var/lib/nextroot'
export const DEFAULT_HOST_ROOT = '/'

export interface Locations {
  /** Where systemd looks for the next root (`systemctl soft-reboot`). */
  nextroot: string
  /** nextroot's own state: the store of extracted roots, the staged-root record, the lock. */
  stateDir: string
  /** The running system's root, inspected for "is this the running root" and kernel modules. */
  hostRoot: string
}

export interface LocationOptions {
  nextroot?: string
  stateDir?: string
  hostRoot?: string
}

export function resolveLocations(options: LocationOptions = {}): Locations {
  return {
    nextroot: resolve(options.nextroot ?? DEFAULT_NEXTROOT),
    stateDir: resolve(options.stateDir ?? DEFAULT_STATE_DIR),
    hostRoot: resolve(options.hostRoot ?? DEFAULT_HOST_ROOT),
  }
}
