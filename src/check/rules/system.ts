// Rules about the running system and the staged root: can this machine soft-reboot at all, and into what.
import {SOFT_REBOOT_MIN_VERSION, SURVIVE_MIN_VERSION, runSpaceShortage} from '../../systemd/requirements.js'
import type {CheckFacts} from '../facts.js'
import type {Finding} from '../finding.js'

function systemdFindings(facts: CheckFacts): Finding[] {
  const {systemd} = facts
  if (!systemd.running) {
    return [
      {
        severity: 'blocker',
        code: 'NO_SYSTEMD',
        message: 'systemd is not the running init (no /run/systemd/system): there is nothing to soft-reboot.',
        hint: 'Run nextroot check on the machine (or in the VM) that will switch.',
      },
    ]
  }

  if ((systemd.version ?? 0) < SOFT_REBOOT_MIN_VERSION) {
    return [
      {
        severity: 'blocker',
        code: 'SYSTEMD_TOO_OLD',
        message: `systemd ${systemd.version ?? '(unknown version)'} has no soft reboot (it needs ${SOFT_REBOOT_MIN_VERSION}).`,
        hint: 'Upgrade systemd, or do a full reboot into the new root.',
        evidence: {version: systemd.version, versionText: systemd.versionText},
      },
    ]
  }

  if ((systemd.version ?? 0) < SURVIVE_MIN_VERSION) {
    return [
      {
        severity: 'info',
        code: 'NO_SURVIVE_SETTING',
        message: `systemd ${systemd.version} has no SurviveFinalKillSignal=: only '@' processes outlive the switch.`,
        hint: `systemd >= ${SURVIVE_MIN_VERSION} lets whole units survive.`,
        evidence: {version: systemd.version},
      },
    ]
  }

  return []
}

/** Too little room in /run/systemd blocks, in check and in reboot's preflight alike: the switch needs it. */
function spaceFindings(facts: CheckFacts): Finding[] {
  const space = facts.runSpace
  const shortage = space && runSpaceShortage(space.freeBytes, space.path)
  if (!space || !shortage) return []
  return [
    {
      severity: 'blocker',
      code: 'RUN_SPACE_LOW',
      message: shortage,
      hint: 'Free space in /run (large files there live in RAM), or stage with --state-dir on disk.',
      evidence: {...space},
    },
  ]
}

const STALE_MESSAGE = {
  rebooted: 'it was staged before the last full reboot, and is not published in this boot',
  'tree-missing': 'its tree is gone (an image no longer mounted, or the store entry removed)',
}

function stagedFinding(facts: CheckFacts): Finding | undefined {
  const {nextroot, staged, staging} = facts
  if (nextroot.isRunningRoot)
    return {
      severity: 'blocker',
      code: 'NEXTROOT_IS_RUNNING_ROOT',
      message: `${staged?.source ?? nextroot.path} is the running root already: there is nothing to switch to.`,
      hint: 'Stage the next root with nextroot stage.',
      evidence: {path: nextroot.path},
    }
  if (staged && staging.stale)
    return {
      severity: 'blocker',
      code: 'STAGED_NOT_VISIBLE',
      message: `nextroot staged ${staged.source}, but ${STALE_MESSAGE[staging.stale]}.`,
      hint: 'nextroot stage --republish checks it again and publishes it, without unpacking.',
      evidence: {staged: staged.id, why: staging.stale},
    }
  if (!nextroot.tree)
    return {
      severity: 'blocker',
      code: 'NOTHING_STAGED',
      message: 'Nothing is staged: a soft reboot would restart the same root.',
      hint: 'Stage the new root with nextroot stage.',
      evidence: {path: nextroot.path},
    }
  if (!nextroot.ours)
    return {
      severity: 'info',
      code: 'NEXTROOT_FOREIGN',
      message: `${nextroot.path} holds an OS tree that nextroot did not stage; the check judges that tree.`,
      evidence: {path: nextroot.path, osRelease: nextroot.tree.osRelease},
    }
  return undefined
}

/** A mounted OS tree at the nextroot path that nextroot did not make: every plain reboot becomes a soft reboot. */
function hijackFinding(facts: CheckFacts): Finding | undefined {
  const foreign = facts.staging.foreign
  if (!foreign?.hijacksPlainReboot || foreign.entry.kind !== 'mount') return undefined
  return {
    severity: 'warning',
    code: 'PLAIN_REBOOT_HIJACKED',
    message: `${facts.nextroot.path} is a mounted OS tree nextroot did not make (${foreign.entry.source}): every plain \`systemctl reboot\` is now a soft reboot into it, so a new kernel would not boot.`,
    hint: 'If it is stale, umount it; nextroot reboot --full withdraws it before a full reboot.',
    evidence: {entry: foreign.entry},
  }
}

function stagedFindings(facts: CheckFacts): Finding[] {
  const findings: Finding[] = []
  if (!facts.stateReadable)
    findings.push({
      severity: 'info',
      code: 'STATE_UNREADABLE',
      message: "nextroot's state directory is readable only by root; what it staged is not known.",
      hint: 'Run nextroot check as root for the full report.',
    })
  for (const finding of [stagedFinding(facts), hijackFinding(facts)]) if (finding) findings.push(finding)
  return findings
}

export function systemRules(facts: CheckFacts): Finding[] {
  return [...systemdFindings(facts), ...spaceFindings(facts), ...stagedFindings(facts)]
}
