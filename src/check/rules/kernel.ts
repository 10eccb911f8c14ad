// Rules about what a soft reboot cannot change: the running kernel stays, so the new root must carry its
// modules, and a newer kernel in the new root runs only after a full reboot.
import {compareKernels} from '../../tree/root-boot.js'
import type {CheckFacts} from '../facts.js'
import type {Finding} from '../finding.js'

const LISTED_MODULES = 12

/** The words for what is loaded now; an unread /proc/modules is unknown, which counts as "some". */
function loadedNow(loaded: string[] | undefined): string {
  if (loaded === undefined) return 'which modules are loaded now is unknown (/proc/modules could not be read)'
  const listed = loaded.slice(0, LISTED_MODULES).join(', ')
  const more = loaded.length > LISTED_MODULES ? ', ...' : ''
  return `${loaded.length} modules are loaded now${listed ? ` (${listed}${more})` : ''}`
}

function missingModules(facts: CheckFacts, stagedKernels: string[]): Finding {
  const {running, loadedModules} = facts.kernel
  return {
    // Without modules loaded (a kernel built without them) nothing is lost; unknown is not "none".
    severity: loadedModules?.length === 0 ? 'warning' : 'blocker',
    code: 'NO_MODULES_FOR_KERNEL',
    message: `The staged root has no usr/lib/modules/${running} for the running kernel; ${loadedNow(loadedModules)} and any module needed later cannot be loaded.`,
    hint: `Ship the modules of ${running} in the image, or do a full reboot into the new root's kernel.`,
    evidence: {running, stagedKernels, loadedModules: loadedModules ?? 'unknown'},
  }
}

export function kernelRules(facts: CheckFacts): Finding[] {
  const tree = facts.nextroot.tree
  if (!tree) return []
  const {running} = facts.kernel
  const findings: Finding[] = []
  if (!tree.kernelModules.includes(running)) findings.push(missingModules(facts, tree.kernelModules))
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
