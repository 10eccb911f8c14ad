// Whether `nextroot reboot` may go ahead (pure): systemd can soft-reboot, the staged root is the one the
// user verified, the check has no blockers, nobody inhibits, the plan does not need a full reboot.
// --force turns refusals about readiness into logged warnings; facts about the host it cannot override.
import type {CheckResult} from '../check/check.js'
import type {FindingCode} from '../check/finding.js'
import {NextrootError} from '../errors.js'
import type {Decision} from '../plan/decide.js'
import type {PlanFacts} from '../plan/facts.js'
import type {Action, SwitchTarget} from '../plan/reasons.js'
import type {StagedRecord} from '../state/record.js'
import {type Inhibitor, blockingShutdown} from '../systemd/logind.js'
import type {SystemdFacts} from '../systemd/manager.js'
import {SOFT_REBOOT_MIN_VERSION} from '../systemd/requirements.js'

export interface PreflightFacts {
  mode: Action
  /** For a soft reboot: into the staged root, or into the same root. */
  target?: SwitchTarget
  /** The user asked for this mode (--full, or the default soft reboot), rather than `apply` choosing it. */
  explicit: boolean
  decision: Decision
  systemd: SystemdFacts
  staged?: StagedRecord
  /** The staging's state (staged, stale, armed, ...) and anything another tool put at the nextroot path. */
  staging: PlanFacts['staging']
  nextrootPath: string
  /** The staged tree's /etc can take the machine's identity files. */
  etcWritable: boolean
  /** --sha256 given to reboot: the digest the user verified. */
  expectSha256?: string
  /** Whether files must be written into the staged /etc (CARRY_FILES or MERGE_USERS). */
  writesEtc: boolean
  check?: CheckResult
  inhibitors: Inhibitor[]
  force: boolean
}

export interface Preflight {
  refusal?: NextrootError
  warnings: string[]
}

/** Findings of `check` that do not concern a soft reboot into the same root. */
const ABOUT_STAGED: FindingCode[] = ['NOTHING_STAGED', 'STAGED_NOT_VISIBLE', 'NO_MODULES_FOR_KERNEL']

function hostRefusal(facts: PreflightFacts): NextrootError | undefined {
  const {systemd} = facts
  if (facts.mode !== 'soft-reboot' && facts.mode !== 'reboot') return undefined
  if (!systemd.running)
    return new NextrootError(
      'NR_NO_SYSTEMD',
      'systemd is not the running init: nothing can switch or reboot.',
      {
        hints: ['Run nextroot reboot on the machine that is to switch.'],
      },
    )
  if (facts.mode === 'soft-reboot' && !systemd.softRebootSupported)
    return new NextrootError(
      'NR_NO_SOFT_REBOOT',
      `systemd ${systemd.version ?? '?'} cannot soft-reboot (${SOFT_REBOOT_MIN_VERSION} can).`,
      {
        hints: ['Upgrade systemd, or do a full reboot: nextroot reboot --full.'],
      },
    )
  return undefined
}

/** A soft reboot needs the nextroot path for itself: anything there but a switch's leftovers is someone else's. */
function nextrootRefusal(facts: PreflightFacts): NextrootError | undefined {
  const foreign = facts.staging.foreign
  if (facts.mode !== 'soft-reboot' || !foreign || foreign.leftover) return undefined
  return new NextrootError(
    'NR_NEXTROOT_IN_USE',
    `${facts.nextrootPath} holds ${foreign.entry.kind === 'mount' ? `a mount of ${foreign.entry.source}` : `a ${foreign.entry.kind}`} that nextroot did not put there.`,
    {
      hints: [
        'Another tool (ostree, bootc, an admin) prepared a soft reboot there; nextroot leaves it alone.',
        `If it is stale, remove it (umount ${facts.nextrootPath}, or rm it), then run nextroot reboot again.`,
      ],
      details: {entry: foreign.entry},
    },
  )
}

const STATE_REFUSALS = {
  none: () =>
    new NextrootError('NR_NOTHING_STAGED', 'Nothing is staged.', {
      hints: ['Stage the new root first: nextroot stage SOURCE.'],
    }),
  stale: (staged?: StagedRecord) =>
    new NextrootError(
      'NR_STAGED_STALE',
      `${staged?.source ?? 'The staged root'} was staged before the last full reboot, or its tree is gone: it is not published in this boot.`,
      {hints: ['nextroot stage --republish checks it again and publishes it; then nextroot reboot.']},
    ),
  switched: (staged?: StagedRecord) =>
    new NextrootError(
      'NR_RUNNING_ROOT',
      `${staged?.source ?? 'The staged root'} is the running root already.`,
      {
        hints: ['Stage the next root: nextroot stage SOURCE.'],
      },
    ),
}

function stagedRefusal(facts: PreflightFacts): NextrootError | undefined {
  if (facts.mode !== 'soft-reboot' || facts.target !== 'staged') return undefined
  const {staged, staging, expectSha256} = facts
  if (staging.state !== 'staged' && staging.state !== 'armed') return STATE_REFUSALS[staging.state](staged)
  if (expectSha256 && staged?.sha256?.toLowerCase() !== expectSha256.toLowerCase())
    return new NextrootError(
      'NR_STAGED_CHANGED',
      `The staged root's digest is ${staged?.sha256 ?? 'unknown'}, not the ${expectSha256} you verified.`,
      {
        hints: ['Check nextroot status, stage the root you mean, then reboot.'],
        details: {sha256: staged?.sha256},
      },
    )
  if (facts.writesEtc && !facts.etcWritable)
    return new NextrootError(
      'NR_NOT_READY',
      `The staged root's /etc is read-only: the machine's identity cannot be carried into it.`,
      {
        hints: [
          'Stage a writable tree, or set CARRY_FILES= and MERGE_USERS=no in /etc/nextroot/nextroot.conf.',
        ],
      },
    )
  return undefined
}

/** Refusals --force may override, each with its error. */
function readinessRefusals(facts: PreflightFacts): NextrootError[] {
  const refusals: NextrootError[] = []
  if (facts.mode === 'soft-reboot' && facts.explicit && facts.decision.action === 'reboot')
    refusals.push(
      new NextrootError(
        'NR_FULL_REBOOT_NEEDED',
        `Only a full reboot activates what is pending: ${facts.decision.reasons.map((r) => r.message).join('; ')}.`,
        {
          hints: ['Do a full reboot: nextroot reboot --full (or nextroot apply).'],
          details: {reasons: facts.decision.reasons},
        },
      ),
    )
  const ignored = facts.target === 'same-root' ? ABOUT_STAGED : []
  const blockers = (facts.check?.findings ?? []).filter(
    (f) => f.severity === 'blocker' && !ignored.includes(f.code),
  )
  if (facts.mode === 'soft-reboot' && blockers.length > 0)
    refusals.push(
      new NextrootError(
        'NR_NOT_READY',
        `nextroot check found ${blockers.length} blocker(s): ${blockers.map((f) => `${f.code}${f.unit ? ` (${f.unit})` : ''}: ${f.message}`).join('; ')}`,
        {
          hints: ['Run nextroot check for the details and hints; --force switches anyway (logged).'],
          details: {findings: blockers},
        },
      ),
    )
  const inhibitors = blockingShutdown(facts.inhibitors)
  if ((facts.mode === 'soft-reboot' || facts.mode === 'reboot') && inhibitors.length > 0)
    refusals.push(
      new NextrootError(
        'NR_INHIBITED',
        `Reboots are inhibited by ${inhibitors.map((i) => `${i.who} (${i.why}; PID ${i.pid}, uid ${i.uid})`).join(', ')}.`,
        {
          hints: ['Wait until they release the lock (systemd-inhibit --list), or --force.'],
          details: {inhibitors},
        },
      ),
    )
  return refusals
}

export function preflight(facts: PreflightFacts): Preflight {
  const warnings: string[] = []
  const fatal = hostRefusal(facts) ?? stagedRefusal(facts) ?? nextrootRefusal(facts)
  if (fatal) return {refusal: fatal, warnings}
  if (facts.mode === 'soft-reboot' && facts.target === 'staged' && facts.staged && !facts.staged.verified)
    warnings.push('The staged root was not verified (no --sha256 or --checksums when it was staged).')
  const refusals = readinessRefusals(facts)
  if (refusals.length === 0) return {warnings}
  if (!facts.force) return {refusal: refusals[0], warnings}
  return {
    warnings: [...warnings, ...refusals.map((r) => `--force: going ahead although ${r.code}: ${r.message}`)],
  }
}
