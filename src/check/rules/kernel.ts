// Rules about what a soft reboot cannot change: the running kernel stays, so the new root must carry its
// modules, and a newer kernel in the new root runs only after a full reboot.
import type {CheckFacts} from '../facts.js'
import type {Finding} from '../finding.js'

const LISTED_MODULES = 12

/** Orders kernel releases by their numeric parts ("6.12.10" < "6.12.57"). */
export function compareKernels(a: string, b: string): number {
  const parts = (v: string) => (v.match(/\d+/g) ?? []).map(Number)
  const [x, y] = [parts(a), parts(b)]
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if ((x[i] ?? -1) !== (y[i] ?? -1)) return (x[i] ?? -1) - (y[i] ?? -1)
  }

  return 0
}

export function kernelRules(facts: CheckFacts): Finding[] {
  const tree = facts.nextroot.tree
  if (!tree) return []
  const {running, loadedModules} = facts.kernel
  const findings: Finding[] = []
  if (!tree.kernelModules.includes(running)) {
    const listed = loadedModules.slice(0, LISTED_MODULES).join(', ')
    findings.push({
      severity: loadedModules.length > 0 ? 'blocker' : 'warning',
      code: 'NO_MODULES_FOR_KERNEL',
      message: `The staged root has no usr/lib/modules/${running} for the running kernel; ${loadedModules.length} modules are loaded now${listed ? ` (${listed}${loadedModules.length > LISTED_MODULES ? ', ...' : ''})` : ''} and any module needed later cannot be loaded.`,
      hint: `Ship the modules of ${running} in the image, or do a full reboot into the new root's kernel.`,
      evidence: {running, stagedKernels: tree.kernelModules, loadedModules},
    })
  }

  const newer = tree.kernelModules.filter((version) => compareKernels(version, running) > 0)
  if (newer.length > 0) {
    findings.push({
      severity: 'info',
      code: 'NEWER_KERNEL_STAGED',
      message: `The staged root ships kernel ${newer.join(', ')}; the soft reboot keeps ${running} running.`,
      hint: 'Only a full reboot runs the new kernel.',
      evidence: {running, newer},
    })
  }

  return findings
}
