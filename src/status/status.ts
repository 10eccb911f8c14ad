// `nextroot status`: what is staged and in which state (staged, stale, armed, switched), what is at
// /run/nextroot, what a plain reboot and a raw soft reboot do now, and what the running system can do.
import {arch, release} from 'node:os'

import {NextrootError} from '../errors.js'
import {type HistoryEntry, readHistory} from '../history/records.js'
import {type LocationOptions, type Locations, resolveLocations} from '../locations.js'
import {type OfflineStatus, offlineStatus} from '../offline/status.js'
import {persistenceOf} from '../plan/decide.js'
import {stateLayout} from '../state/layout.js'
import {type StagedRecord, readRecord, treeOf} from '../state/record.js'
import type {Foreign, NextrootEntry, StaleReason, Staging, StagingView} from '../state/staging.js'
import {currentBootId, gatherStaging} from '../state/staging-facts.js'
import {type SystemdFacts, systemdFacts} from '../systemd/manager.js'
import {SURVIVE_MIN_VERSION} from '../systemd/requirements.js'

/** What a raw `systemctl soft-reboot` does now. */
export type RawSoftReboot = 'same-root' | 'armed-root' | 'foreign-tree'

export interface StatusResult {
  state: Staging['state']
  staged?: StagedRecord
  /** Why a staged root is stale (a reboot since, or its tree is gone): `nextroot stage --republish`. */
  stale?: StaleReason
  /** Where the staged tree is. */
  tree?: string
  nextroot: {path: string; entry: NextrootEntry; foreign?: Foreign}
  /** A plain `systemctl reboot` becomes a soft reboot (only a mounted OS tree nextroot did not make does that). */
  rebootBecomesSoftReboot: boolean
  softReboot: RawSoftReboot
  system: {kernel: string; arch: string; systemd: SystemdFacts}
  /** What the next full reboot boots after a soft reboot into the staged root. */
  persistence?: string
  /** The last switch `nextroot reboot` made, as the new userspace recorded it. */
  lastSwitch?: HistoryEntry
  /** The staged root a soft reboot switched into in this kernel boot: the running root (a full reboot ends it). */
  running?: StagedRecord
  /** An offline update prepared or under way: the next boot or soft reboot of any kind enters update mode. */
  offline: {state: OfflineStatus['state']; next?: string; packages: string[]}
  locations: Locations
}

/** systemd 255 switched into any OS tree at /run/nextroot on a plain reboot; 256 and later only a mount point. */
function plainRebootIsSoft(view: StagingView, systemd: SystemdFacts): boolean {
  if (!systemd.autoSoftReboot) return false
  if (view.foreign?.hijacksPlainReboot) return true
  const onlyMounts = (systemd.version ?? 0) > SURVIVE_MIN_VERSION
  return !onlyMounts && (view.staging.state === 'armed' || view.foreign?.softRebootSwitches === true)
}

function rawSoftReboot(view: StagingView): RawSoftReboot {
  if (view.staging.state === 'armed') return 'armed-root'
  return view.foreign?.softRebootSwitches ? 'foreign-tree' : 'same-root'
}

export async function status(options: LocationOptions = {}): Promise<StatusResult> {
  const locations = resolveLocations(options)
  const [view, systemd] = await Promise.all([gatherStaging(locations), systemdFacts(locations.hostRoot)])
  if (!view.stateReadable)
    throw new NextrootError('NR_NOT_ROOT', `Only root can read ${locations.stateDir}.`, {
      hints: ['Run it with sudo, or as root.'],
    })
  const layout = stateLayout(locations)
  const [entries, switchedTo, bootId, offline] = await Promise.all([
    readHistory(layout.history),
    readRecord(layout.running),
    currentBootId(locations.hostRoot),
    offlineStatus(locations),
  ])
  const running = switchedTo?.bootId === bootId ? switchedTo : undefined
  const {staging} = view
  const staged = staging.state === 'none' ? undefined : staging.record
  return {
    state: staging.state,
    staged,
    stale: staging.state === 'stale' ? staging.why : undefined,
    tree: staged ? treeOf(staged) : undefined,
    nextroot: {path: locations.nextroot, entry: view.facts.nextroot, foreign: view.foreign},
    rebootBecomesSoftReboot: plainRebootIsSoft(view, systemd),
    softReboot: rawSoftReboot(view),
    system: {kernel: release(), arch: arch(), systemd},
    persistence: staged ? persistenceOf(staged) : undefined,
    lastSwitch: entries.at(-1),
    running,
    offline: {
      state: offline.state,
      next: offline.next,
      packages: offline.current?.packages.map((p) => `${p.name} ${p.version}`) ?? [],
    },
    locations,
  }
}
