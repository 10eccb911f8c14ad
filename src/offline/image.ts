// An offline update whose payload is a root image: `stage` stages and verifies it at prepare, update mode
// checks that it is still the staged root, and the way out is `nextroot reboot`'s soft reboot into it.
import {lstat} from 'node:fs/promises'
import {extname, join, resolve} from 'node:path'

import {unlessAbsent} from '../absent.js'
import {NextrootError} from '../errors.js'
import type {Locations} from '../locations.js'
import {plan} from '../plan/plan.js'
import {type StageOptions, type StageResult, stage} from '../stage/stage.js'
import {gatherStaging} from '../state/staging-facts.js'
import type {WayDecision} from './decide.js'
import type {OfflineRecord, PayloadImage} from './record.js'
import type {UpdateOutcome} from './update.js'

const PACKAGE_EXTENSIONS = new Set(['.deb', '.rpm'])

/** A package file, or a directory with no root tree in it, is a package payload; anything else an image. */
export async function isImageSource(source: string): Promise<boolean> {
  const path = resolve(source)
  const stats = await unlessAbsent(path, lstat(path))
  if (!stats || source === '-') return false
  if (!stats.isDirectory()) return !PACKAGE_EXTENSIONS.has(extname(path))
  return (await unlessAbsent(join(path, 'usr'), lstat(join(path, 'usr'))))?.isDirectory() ?? false
}

function imageOf(staged: StageResult): PayloadImage {
  const {record} = staged
  const os = record.osRelease
  const name = os.PRETTY_NAME ?? ([os.NAME, os.VERSION_ID].filter(Boolean).join(' ') || undefined)
  return {
    stagedId: record.id,
    source: record.source,
    ...(record.sha256 ? {sha256: record.sha256} : {}),
    ...(name ? {name} : {}),
    ...(os.IMAGE_VERSION ? {imageVersion: os.IMAGE_VERSION} : {}),
  }
}

/**
 * Stages the image (verified as `stage` verifies) and refuses it when the plan says the switch into it
 * needs a full reboot: a full reboot boots the bootloader's entry, not a staged root.
 */
export async function stageImage(
  options: Pick<
    StageOptions,
    'source' | 'sha256' | 'checksums' | 'signature' | 'keyring' | 'onProgress' | 'signal'
  >,
  locations: Locations,
): Promise<Pick<OfflineRecord, 'kind' | 'packages' | 'image' | 'verification'>> {
  const {source, sha256, checksums, signature, keyring, onProgress, signal} = options
  const staged = await stage({
    source,
    sha256,
    checksums,
    signature,
    keyring,
    onProgress,
    signal,
    ...locations,
  })
  const decision = await plan(locations)
  if (decision.action === 'reboot')
    throw new NextrootError(
      'NR_OFFLINE_UNINSTALLABLE',
      `A soft reboot cannot switch into ${options.source}: ${decision.reasons.map((r) => r.message).join('; ')}.`,
      {
        hints: [
          'It stays staged (nextroot unstage removes it); a new kernel needs the bootloader entry your image updater writes, then a full reboot.',
        ],
        details: {reasons: decision.reasons},
      },
    )
  return {kind: 'image', packages: [], image: imageOf(staged), verification: staged.record.verification}
}

/** In update mode, the "install": the image must still be the staged root (not gone, not replaced). */
export async function checkStagedImage(record: OfflineRecord, locations: Locations): Promise<UpdateOutcome> {
  const command = ['nextroot', 'reboot', '--state-dir', locations.stateDir, '--nextroot', locations.nextroot]
  const {staging} = await gatherStaging(locations)
  const wanted = record.image?.stagedId
  if (staging.state === 'none' || staging.record.id !== wanted)
    return {ok: false, command, error: `the staged root ${wanted} is no longer staged (nextroot status)`}
  if (staging.state === 'stale' && staging.why === 'tree-missing')
    return {ok: false, command, error: `the staged root ${wanted} lost its tree`}
  console.log(
    `nextroot: switching into the staged root ${wanted} (${record.image?.name ?? record.image?.source})`,
  )
  return {ok: true, command}
}

/** The way out for an image that is still staged: a soft reboot into it. */
export function intoImage(record: OfflineRecord): WayDecision {
  const id = record.image?.stagedId as string
  return {
    how: 'soft-reboot',
    into: id,
    reasons: [{code: 'IMAGE_STAGED', message: `nextroot reboot switches into the staged root ${id}`}],
  }
}
