// What of the machine goes into the staged root before the switch, as a list of steps (pure): its data
// directories are shared (bind mounts below the staged mount, which systemd moves to / with it), its
// identity files are copied into the staged /etc, its accounts merged with the image's.
import {type AccountFiles, mergeAccounts} from './merge-users.js'

export const ACCOUNT_FILES = ['passwd', 'group', 'shadow', 'gshadow'] as const

export type AccountFile = (typeof ACCOUNT_FILES)[number]

/** The facts carry-over planning needs, gathered by carry-facts.ts. Paths in the staged tree are symlink-free. */
export interface CarryFacts {
  nextroot: string
  hostRoot: string
  /** The staged tree holds /usr only: the new root is the running root with the staged /usr. */
  usrOnly: boolean
  /** Where the staged /usr is kept reachable while the running root is stacked over it (/usr-only). */
  aside: string
  /** Carried directories the machine has, and their place in the staged tree. */
  dirs: Array<{source: string; target: string}>
  /** Carried files the machine has (globs expanded), and their place in the staged tree. */
  files: Array<{source: string; target: string}>
  /** Account files of both sides, and their place in the staged tree (undefined: MERGE_USERS=no or /usr-only). */
  accounts?: {image: AccountFiles; machine: AccountFiles; targets: Record<AccountFile, string>}
  /** Mounts below the staged root left by an earlier attempt, deepest first. */
  leftovers: string[]
}

export type CarryStep =
  | {kind: 'unmount'; target: string}
  | {kind: 'private'; target: string}
  | {kind: 'bind'; source: string; target: string; recursive: boolean}
  | {kind: 'copy'; source: string; target: string}
  | {kind: 'write'; target: string; content: string; like: string; why: string}

export interface CarryPlan {
  steps: CarryStep[]
  /** Merge conflicts and other things the user should know; the switch still goes ahead. */
  warnings: string[]
}

function usrOnlySteps(facts: CarryFacts): CarryStep[] {
  const {nextroot, hostRoot, aside} = facts
  return [
    {kind: 'bind', source: `${nextroot}/usr`, target: aside, recursive: false},
    {kind: 'bind', source: hostRoot, target: nextroot, recursive: false},
    {kind: 'private', target: nextroot},
    {kind: 'bind', source: aside, target: `${nextroot}/usr`, recursive: false},
  ]
}

function accountSteps(facts: CarryFacts): CarryPlan {
  if (!facts.accounts) return {steps: [], warnings: []}
  const {image, machine, targets} = facts.accounts
  const merged = mergeAccounts(image, machine)
  const kept = merged.fromMachine.length
  const steps: CarryStep[] = ACCOUNT_FILES.flatMap((name) => {
    const content = merged.files[name]
    if (content === undefined) return []
    const why = `${name} merged: the new root's entries, and ${kept} from this machine (${merged.fromMachine.join(', ') || 'none'})`
    return [
      {kind: 'write' as const, target: targets[name], content, like: `${facts.hostRoot}/etc/${name}`, why},
    ]
  })
  return {steps, warnings: merged.conflicts.map((conflict) => `account id conflict: ${conflict}`)}
}

/** The steps that carry the machine into the staged root, in the order they must run. */
export function planCarryOver(facts: CarryFacts): CarryPlan {
  const cleanup: CarryStep[] = facts.leftovers.map((target) => ({kind: 'unmount', target}))
  const share: CarryStep[] = facts.dirs.map(({source, target}) => ({
    kind: 'bind',
    source,
    target,
    recursive: true,
  }))
  if (facts.usrOnly) return {steps: [...cleanup, ...usrOnlySteps(facts), ...share], warnings: []}
  const accounts = accountSteps(facts)
  const copies: CarryStep[] = facts.files.map(({source, target}) => ({kind: 'copy', source, target}))
  return {
    steps: [...cleanup, {kind: 'private', target: facts.nextroot}, ...share, ...copies, ...accounts.steps],
    warnings: accounts.warnings,
  }
}

/** One line per step, as the command it amounts to (what --dry-run prints). */
export function describeCarryStep(step: CarryStep): string {
  switch (step.kind) {
    case 'unmount':
      return `umount -R ${step.target}   # left by an earlier attempt`
    case 'private':
      return `mount --make-private ${step.target}`
    case 'bind':
      return `mount ${step.recursive ? '--rbind' : '--bind'} ${step.source} ${step.target}`
    case 'copy':
      return `cp -p ${step.source} ${step.target}`
    case 'write':
      return `write ${step.target}   # ${step.why}`
  }
}
