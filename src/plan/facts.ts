// Gathers what `nextroot plan` decides on: the running kernel and command line, the kernels each root
// ships, the staged record, reboot-required flags and processes running replaced code. Judges nothing.
import {readFile, readdir} from 'node:fs/promises'
import {release} from 'node:os'
import {join} from 'node:path'

import {errnoCode} from '../errors.js'
import {mountAt} from '../host/mounts.js'
import {type Locations, stateLayout} from '../locations.js'
import {type StagedRecord, readRecord} from '../stage/record.js'
import {isOsTree} from '../stage/tree-facts.js'
import {resolveInTree} from '../stage/tree-path.js'
import {type StaleProcess, staleProcesses} from './stale.js'

/** The boot-relevant contents of a root tree. */
export interface RootBoot {
  /** Kernel versions with an image (boot/vmlinuz-V or usr/lib/modules/V/vmlinuz). */
  kernels: string[]
  /** Kernel versions with a modules directory. */
  modules: string[]
  /** etc/kernel/cmdline (what kernel-install and UKIs put on the command line), trimmed. */
  cmdline?: string
  /** It has /usr but no /etc: an image of /usr only, to be used with the running root's /etc and /var. */
  usrOnly: boolean
}

export interface PlanFacts {
  kernel: {running: string; cmdline: string}
  /** The running root as it is on disk now (packages may have been upgraded in place). */
  installed: RootBoot
  /** What nextroot staged (undefined when nothing is), and the tree at the nextroot path. */
  staged?: StagedRecord
  nextroot: {path: string; visible: boolean; mounted: boolean; boot?: RootBoot}
  /** /run/reboot-required exists; the packages listed in /run/reboot-required.pkgs. */
  rebootRequired?: {packages: string[]}
  stale: StaleProcess[]
  /** False when other users' processes could not be read (not root): `stale` is then incomplete. */
  processesReadable: boolean
}

async function text(path: string | undefined): Promise<string | undefined> {
  if (!path) return undefined
  return readFile(path, 'utf8').catch(() => undefined)
}

async function entries(tree: string, relative: string): Promise<string[]> {
  const dir = await resolveInTree(tree, relative)
  return dir ? readdir(dir).catch(() => []) : []
}

export async function gatherRootBoot(tree: string): Promise<RootBoot> {
  const [boot, modules, cmdline, etc] = await Promise.all([
    entries(tree, 'boot'),
    entries(tree, 'usr/lib/modules'),
    text(await resolveInTree(tree, 'etc/kernel/cmdline')),
    resolveInTree(tree, 'etc'),
  ])
  const withImage = await Promise.all(
    modules.map(async (v) => ((await resolveInTree(tree, `usr/lib/modules/${v}/vmlinuz`)) ? v : undefined)),
  )
  const kernels = new Set([
    ...boot.filter((name) => name.startsWith('vmlinuz-')).map((name) => name.slice('vmlinuz-'.length)),
    ...withImage.filter((v): v is string => v !== undefined),
  ])
  return {
    kernels: [...kernels].sort(),
    modules: modules.sort(),
    cmdline: cmdline?.trim() || undefined,
    usrOnly: etc === undefined && (await resolveInTree(tree, 'usr')) !== undefined,
  }
}

async function rebootRequired(hostRoot: string): Promise<PlanFacts['rebootRequired']> {
  const flag = await text(join(hostRoot, 'run/reboot-required'))
  if (flag === undefined) return undefined
  const pkgs = (await text(join(hostRoot, 'run/reboot-required.pkgs'))) ?? ''
  return {packages: [...new Set(pkgs.split('\n').map((line) => line.trim()))].filter(Boolean).sort()}
}

export async function gatherPlanFacts(locations: Locations): Promise<PlanFacts> {
  const {hostRoot} = locations
  const staged = await readRecord(stateLayout(locations).record).catch((error: unknown) => {
    if (errnoCode(error) === 'EACCES') return undefined
    throw error
  })
  const [running, cmdline, installed, mount, osTree, required, stale] = await Promise.all([
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
    staged,
    nextroot: {
      path: locations.nextroot,
      visible: osTree,
      mounted: mount !== undefined,
      boot: osTree ? await gatherRootBoot(locations.nextroot) : undefined,
    },
    rebootRequired: required,
    stale: stale.processes,
    processesReadable: stale.readable,
  }
}
