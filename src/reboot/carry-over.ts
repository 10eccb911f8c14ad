// What of the machine goes into the staged root before the switch, as a list of steps (pure): the staged tree
// is assembled at the armed path (a bind mount in /run, made private), the machine's data directories are
// shared below it (systemd moves the armed mount to / with its submounts), its identity files are copied into
// the staged /etc and its accounts merged with the image's.
import {KEEP_AT_SHUTDOWN} from '../host/mount.js'
import {type AccountFiles, mergeAccounts} from './merge-users.js'

export const ACCOUNT_FILES = ['passwd', 'group', 'shadow', 'gshadow'] as const

export type AccountFile = (typeof ACCOUNT_FILES)[number]

/** The facts carry-over planning needs, gathered by carry-facts.ts. Paths in the staged tree are symlink-free. */
export interface CarryFacts {
  /** The staged tree, and where the new root is assembled from it for the switch. */
  tree: string
  armed: string
  hostRoot: string
  /** The staged tree holds /usr only: the new root is the running root with the staged /usr. */
  usrOnly: boolean
  /** Carried directories the machine has, and where they are mounted below the armed path. */
  dirs: Array<{source: string; target: string}>
  /** Carried files the machine has (globs expanded), and their place in the staged tree. */
  files: Array<{source: string; target: string}>
  /** Account files of both sides, and their place in the staged tree (undefined: MERGE_USERS=no or /usr-only). */
  accounts?: {image: AccountFiles; machine: AccountFiles; targets: Record<AccountFile, string>}
  /** Something is mounted at the armed path already: an earlier attempt's, undone first. */
  leftover: boolean
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

/** The new root at the armed path, private before anything is mounted below it (or it would propagate). */
function assembleSteps(facts: CarryFacts): CarryStep[] {
  const {tree, armed, hostRoot} = facts
  const base: CarryStep[] = [
    {kind: 'bind', source: facts.usrOnly ? hostRoot : tree, target: armed, recursive: false},
    {kind: 'private', target: armed},
  ]
  if (!facts.usrOnly) return base
  return [...base, {kind: 'bind', source: `${tree}/usr`, target: `${armed}/usr`, recursive: false}]
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
  const cleanup: CarryStep[] = facts.leftover ? [{kind: 'unmount', target: facts.armed}] : []
  const share: CarryStep[] = facts.dirs.map(({source, target}) => ({
    kind: 'bind',
    source,
    target,
    recursive: true,
  }))
  const accounts = accountSteps(facts)
  const copies: CarryStep[] = facts.files.map(({source, target}) => ({kind: 'copy', source, target}))
  return {
    steps: [...cleanup, ...assembleSteps(facts), ...share, ...copies, ...accounts.steps],
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
      return `mount ${step.recursive ? '--rbind' : '--bind'} -o ${KEEP_AT_SHUTDOWN} ${step.source} ${step.target}`
    case 'copy':
      return `cp -p ${step.source} ${step.target}`
    case 'write':
      return `write ${step.target}   # ${step.why}`
  }
}
