// Flags shared by every command that touches the system, so each path can be pointed elsewhere the same way.
import * as Flags from '@oclif/core/flags'

import {DEFAULT_HOST_ROOT, DEFAULT_NEXTROOT, DEFAULT_STATE_DIR} from '../locations.js'

export const locationFlags = {
  nextroot: Flags.directory({
    summary: 'Where systemd looks for the next root.',
    default: DEFAULT_NEXTROOT,
    helpGroup: 'PATHS',
  }),
  'state-dir': Flags.directory({
    summary: "nextroot's store of staged roots and its records.",
    default: DEFAULT_STATE_DIR,
    helpGroup: 'PATHS',
  }),
  root: Flags.directory({
    summary: 'Root of the running system to inspect.',
    default: DEFAULT_HOST_ROOT,
    helpGroup: 'PATHS',
  }),
}

export interface LocationFlagValues {
  nextroot: string
  'state-dir': string
  root: string
}

export function locationsFrom(flags: LocationFlagValues) {
  return {nextroot: flags.nextroot, stateDir: flags['state-dir'], hostRoot: flags.root}
}
