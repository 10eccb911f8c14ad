// Gathers what `nextroot plan` decides on: the running kernel and command line, the kernels each root
// ships, the staged record, reboot-required flags and processes running replaced code. Judges nothing.
import {readFile} from 'node:fs/promises'
import {release} from 'node:os'
import {join} from 'node:path'

import {unlessAbsent} from '../absent.js'
import {mountAt} from '../host/mounts.js'
import type {Locations} from '../locations.js'
import {type StagedRecord, readStagedRecord} from '../state/record.js'
import {type RootBoot, gatherRootBoot} from '../tree/root-boot.js'
import {isOsTree} from '../tree/tree-facts.js'
import {type StaleProcess, staleProcesses} from './stale.js'

export interface PlanFacts {
  kernel: {running: string; cmdline: string}
  /** The running root as it is on disk now (packages may have been upgraded in place). */
  installed: RootBoot
  /** What nextroot staged (undefined when nothing is), and the tree at the nextroot path. */
  staged?: StagedRecord
  /** False when nextroot's state directory is closed to us (not root): what it staged is unknown. */
  stateReadable: boolean
  nextroot: {path: string; visible: boolean; mounted: boolean; boot?: RootBoot}
  /** /run/reboot-required exists; the packages listed in /run/reboot-required.pkgs. */
  rebootRequired?: {packages: string[]}
  stale: StaleProcess[]
  /** Processes whose maps could not be read (other users', when not root), and whether /proc was there. */
  processes: {unreadable: number; proc: boolean}
}

async function text(path: string): Promise<string | undefined> {
  return unlessAbsent(path, readFile(path, 'utf8'))
}

async function rebootRequired(hostRoot: string): Promise<PlanFacts['rebootRequired']> {
  const flag = await text(join(hostRoot, 'run/reboot-required'))
  if (flag === undefined) return undefined
  const pkgs = (await text(join(hostRoot, 'run/reboot-required.pkgs'))) ?? ''
  return {packages: [...new Set(pkgs.split('\n').map((line) => line.trim()))].filter(Boolean).sort()}
}

export async function gatherPlanFacts(locations: Locations): Promise<PlanFacts> {
  const {hostRoot} = locations
  const [state, running, cmdline, installed, mount, osTree, required, stale] = await Promise.all([
    readStagedRecord(locations),
    text(join(hostRoot, 'proc/sys/kernel/osrelease')),
    text(join(hostRoot, 'proc/cmdline')),
    gatherRootBoot(hostRoot),
    mountAt(locations.nextroot),
    isOsTree(locations.nextroot),
    rebootRequired(hostRoot),
    staleProcesses(hostRoot),
  ])
  return {
    kernel: {running: running?.trim() || release(), cmdline: cmdline?.trim() ?? ''},
    installed,
    staged: state.record,
    stateReadable: state.readable,
    nextroot: {
      path: locations.nextroot,
      visible: osTree,
      mounted: mount !== undefined,
      boot: osTree ? await gatherRootBoot(locations.nextroot) : undefined,
    },
    rebootRequired: required,
    stale: stale.processes,
    processes: {unreadable: stale.unreadable, proc: stale.proc},
  }
}
