// What a root tree would boot: its kernels, modules and kernel command line, read inside the tree; and how
// kernel releases order, for "which is newer".
import {readFile, readdir} from 'node:fs/promises'

import {unlessAbsent} from '../absent.js'
import {microcodeDigest, selinuxPolicyDigest} from './boot-loaded.js'
import {resolveInTree} from './tree-path.js'

/** The boot-relevant contents of a root tree. */
export interface RootBoot {
  /** Kernel versions with an image (boot/vmlinuz-V or usr/lib/modules/V/vmlinuz). */
  kernels: string[]
  /** Kernel versions with a modules directory. */
  modules: string[]
  /** etc/kernel/cmdline (what kernel-install and UKIs put on the command line), trimmed. */
  cmdline?: string
  /** It has /usr but no /etc: an image of /usr only, to be used with the running root's /etc and /var. */
  usrOnly: boolean
  /** Digests of what only a boot loads: the SELinux policy, CPU microcode (undefined: the root has none). */
  selinuxPolicy?: string
  microcode?: string
}

/** Orders kernel releases by their numeric parts ("6.12.10" < "6.12.57"). */
export function compareKernels(a: string, b: string): number {
  const parts = (v: string) => (v.match(/\d+/g) ?? []).map(Number)
  const [x, y] = [parts(a), parts(b)]
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if ((x[i] ?? -1) !== (y[i] ?? -1)) return (x[i] ?? -1) - (y[i] ?? -1)
  }

  return 0
}

export function newestKernel(kernels: string[]): string | undefined {
  return [...kernels].sort(compareKernels).at(-1)
}

async function entries(tree: string, relative: string): Promise<string[]> {
  const dir = await resolveInTree(tree, relative)
  return (dir && (await unlessAbsent(dir, readdir(dir)))) || []
}

async function text(tree: string, relative: string): Promise<string | undefined> {
  const path = await resolveInTree(tree, relative)
  return path ? unlessAbsent(path, readFile(path, 'utf8')) : undefined
}

export async function gatherRootBoot(tree: string): Promise<RootBoot> {
  const [boot, modules, cmdline, etc, selinuxPolicy, microcode] = await Promise.all([
    entries(tree, 'boot'),
    entries(tree, 'usr/lib/modules'),
    text(tree, 'etc/kernel/cmdline'),
    resolveInTree(tree, 'etc'),
    selinuxPolicyDigest(tree),
    microcodeDigest(tree),
  ])
  const withImage = await Promise.all(
    modules.map(async (v) => ((await resolveInTree(tree, `usr/lib/modules/${v}/vmlinuz`)) ? v : undefined)),
  )
  const kernels = new Set([
    ...boot.filter((name) => name.startsWith('vmlinuz-')).map((name) => name.slice('vmlinuz-'.length)),
    ...withImage.filter((v): v is string => v !== undefined),
  ])
  return {
    kernels: [...kernels].sort(),
    modules: modules.sort(),
    cmdline: cmdline?.trim() || undefined,
    usrOnly: etc === undefined && (await resolveInTree(tree, 'usr')) !== undefined,
    selinuxPolicy,
    microcode,
  }
}
