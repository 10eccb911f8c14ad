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

function stagedFindings(facts: CheckFacts): Finding[] {
  const {nextroot, staged} = facts
  const findings: Finding[] = []
  if (!facts.stateReadable) {
    findings.push({
      severity: 'info',
      code: 'STATE_UNREADABLE',
      message: "nextroot's state directory is readable only by root; what it staged is not known.",
      hint: 'Run nextroot check as root for the full report.',
    })
  }

  if (nextroot.isRunningRoot) {
    findings.push({
      severity: 'blocker',
      code: 'NEXTROOT_IS_RUNNING_ROOT',
      message: `${nextroot.path} is the running root: there is nothing to switch to.`,
      hint: 'Stage the new root with nextroot stage.',
      evidence: {path: nextroot.path},
    })
  } else if (!nextroot.osTree) {
    const code = staged ? 'STAGED_NOT_VISIBLE' : 'NOTHING_STAGED'
    findings.push({
      severity: 'blocker',
      code,
      message: staged
        ? `nextroot staged ${staged.source}, but ${nextroot.path} holds no OS tree (a reboot emptied /run?): a soft reboot would restart the same root.`
        : `Nothing is staged: ${nextroot.path} holds no OS tree, so a soft reboot would restart the same root.`,
      hint: 'Stage the new root with nextroot stage.',
      evidence: {path: nextroot.path, mounted: nextroot.mounted, staged: staged?.id},
    })
  } else if (!staged) {
    findings.push({
      severity: 'info',
      code: 'NEXTROOT_FOREIGN',
      message: `${nextroot.path} holds an OS tree that nextroot did not stage; the check judges that tree.`,
      evidence: {path: nextroot.path, mounted: nextroot.mounted, osRelease: nextroot.tree?.osRelease},
    })
  }

  return findings
}

export function systemRules(facts: CheckFacts): Finding[] {
  return [...systemdFindings(facts), ...spaceFindings(facts), ...stagedFindings(facts)]
}
