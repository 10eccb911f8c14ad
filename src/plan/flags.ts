// Judges the reboot-required flags (pure): what a listed package needs (a soft or a full reboot), and
// whether that already happened after it was installed. /run survives a soft reboot, and a package manager
// may write the flag again after one for a package the switch already covered: neither is pending.
import type {PlanFacts} from './facts.js'
import {type RestartLevel, restartLevel} from './packages.js'
import type {Reason} from './reasons.js'

/** What a listed package needs; one nextroot does not know needs a full reboot, to be safe. */
const levelOf = (pkg: string): RestartLevel => restartLevel(pkg) ?? 'reboot'

/** When the thing that activates `level` last happened: this userspace's start, or the kernel's boot. */
function activatedAt(facts: PlanFacts, level: RestartLevel): number | undefined {
  return level === 'soft-reboot' ? facts.clocks.userspaceStartedAt : facts.clocks.kernelBootedAt
}

/** The package was installed before what activates it last happened: that took it in. */
function isCovered(facts: PlanFacts, pkg: string): boolean {
  const installed = facts.rebootRequired?.installedAt[pkg]
  const since = activatedAt(facts, levelOf(pkg))
  return installed !== undefined && since !== undefined && installed <= since
}

/** Listed packages that still need what they ask for. */
function pendingPackages(facts: PlanFacts): string[] {
  return (facts.rebootRequired?.packages ?? []).filter((pkg) => !isCovered(facts, pkg))
}

export function flagReasons(facts: PlanFacts, level: RestartLevel): Reason[] {
  const flag = facts.rebootRequired
  if (!flag) return []
  if (flag.packages.length === 0)
    return level === 'reboot'
      ? [{code: 'REBOOT_REQUIRED', message: '/run/reboot-required is set and names no package'}]
      : []
  const matching = pendingPackages(facts).filter((pkg) => levelOf(pkg) === level)
  const known = matching.filter((pkg) => restartLevel(pkg) !== undefined)
  const unknown = matching.filter((pkg) => restartLevel(pkg) === undefined)
  const reasons: Reason[] = []
  if (known.length > 0)
    reasons.push({
      code: level === 'reboot' ? 'REBOOT_REQUIRED' : 'USERSPACE_UPGRADED',
      message: `/run/reboot-required.pkgs lists ${known.join(', ')}, which ${level === 'reboot' ? 'only a full reboot activates' : 'a soft reboot refreshes'}`,
    })
  if (unknown.length > 0)
    reasons.push({
      code: 'REBOOT_REQUIRED_UNKNOWN',
      message: `/run/reboot-required.pkgs lists ${unknown.join(', ')}, which nextroot does not classify: a full reboot to be safe`,
    })
  return reasons
}

/** Says which listed packages are satisfied already, and by what. */
export function flagNotes(facts: PlanFacts): string[] {
  const covered = (facts.rebootRequired?.packages ?? []).filter((pkg) => isCovered(facts, pkg))
  return covered.map((pkg) => {
    const level = levelOf(pkg)
    const by = level === 'soft-reboot' ? 'this userspace started' : 'the kernel booted'
    const at = new Date(activatedAt(facts, level) as number).toISOString()
    return `/run/reboot-required.pkgs lists ${pkg}, installed before ${by} (${at}): satisfied, not pending.`
  })
}
