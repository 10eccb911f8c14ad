// Pure rules that accept or refuse a candidate root: an OS tree, with an init built for this machine,
// that is not the running root. Kernel modules are recorded, not judged (later commands decide).
import {NextrootError} from '../errors.js'
import {INIT_PATH, type TreeFacts} from '../tree/tree-facts.js'

/** Node's process.arch -> ELF e_machine and class. */
const ELF_OF_ARCH: Record<string, {machine: number; elfClass: number}> = {
  x64: {machine: 62, elfClass: 2},
  arm64: {machine: 183, elfClass: 2},
  ia32: {machine: 3, elfClass: 1},
  arm: {machine: 40, elfClass: 1},
  riscv64: {machine: 243, elfClass: 2},
  ppc64: {machine: 21, elfClass: 2},
  s390x: {machine: 22, elfClass: 2},
  loong64: {machine: 258, elfClass: 2},
}

const MACHINE_NAMES: Record<number, string> = {
  3: 'x86',
  21: 'ppc64',
  22: 's390x',
  40: 'arm',
  62: 'x86-64',
  183: 'aarch64',
  243: 'riscv',
  258: 'loongarch',
}

export interface HostIdentity {
  arch: string
  kernelRelease: string
  /** "dev:ino" of the running root directory. */
  rootId: string
}

export interface RootVerdict {
  /** True when the tree has usr/lib/modules/<running kernel>. */
  hasModulesForRunningKernel: boolean
}

function invalid(
  code: 'NR_NOT_OS_TREE' | 'NR_NO_INIT' | 'NR_WRONG_ARCH' | 'NR_RUNNING_ROOT',
  message: string,
  hint: string,
) {
  return new NextrootError(code, message, {hints: [hint]})
}

export function judgeRoot(facts: TreeFacts, host: HostIdentity): RootVerdict {
  if (!facts.osRelease) {
    throw invalid(
      'NR_NOT_OS_TREE',
      'The new root is not an OS tree: it has neither etc/os-release nor usr/lib/os-release.',
      'Stage a complete root file system (systemd switches only into a tree with os-release).',
    )
  }

  if (facts.rootId === host.rootId) {
    throw invalid(
      'NR_RUNNING_ROOT',
      'The new root is the running root.',
      'Stage a different tree: switching to itself changes nothing.',
    )
  }

  if (!facts.init.present) {
    throw invalid(
      'NR_NO_INIT',
      `The new root has no init: ${INIT_PATH} is missing.`,
      'Install systemd in the image.',
    )
  }

  const want = ELF_OF_ARCH[host.arch]
  const got = facts.init.elf
  if (!got || (want && (got.machine !== want.machine || got.elfClass !== want.elfClass))) {
    const built = got ? (MACHINE_NAMES[got.machine] ?? `ELF machine ${got.machine}`) : 'not an ELF binary'
    throw invalid(
      'NR_WRONG_ARCH',
      `The new root's init is ${built}, but this machine is ${host.arch}.`,
      'Stage an image built for this architecture.',
    )
  }

  return {hasModulesForRunningKernel: facts.kernelModules.includes(host.kernelRelease)}
}
