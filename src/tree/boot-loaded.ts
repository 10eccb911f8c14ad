// What a root holds that only a boot loads, beyond the kernel: the SELinux policy (loaded once by PID 1 at
// boot; a soft reboot keeps the loaded one, which is why bootc refuses soft reboots across policy changes)
// and CPU microcode (applied from the initrd at boot). Each as a digest, to compare two roots.
import {createHash} from 'node:crypto'
import {readFile, readdir} from 'node:fs/promises'
import {join} from 'node:path'

import {unlessAbsent} from '../absent.js'
import {parseOsRelease} from './os-release.js'
import {resolveInTree} from './tree-path.js'

const MICROCODE_DIRS = ['usr/lib/firmware/intel-ucode', 'usr/lib/firmware/amd-ucode']

async function fileIn(tree: string, relative: string): Promise<Buffer | undefined> {
  const path = await resolveInTree(tree, relative)
  return path ? unlessAbsent(path, readFile(path)) : undefined
}

async function namesIn(tree: string, relative: string): Promise<string[]> {
  const dir = await resolveInTree(tree, relative)
  return ((dir && (await unlessAbsent(dir, readdir(dir)))) || []).sort()
}

/** SHA-256 of the policy the root would load (SELINUXTYPE in etc/selinux/config, its newest policy.N). */
export async function selinuxPolicyDigest(tree: string): Promise<string | undefined> {
  const config = await fileIn(tree, 'etc/selinux/config')
  // the config's KEY=value lines read like os-release's
  const type = config && parseOsRelease(config.toString('utf8')).SELINUXTYPE
  if (!type || type.includes('/')) return undefined
  const policies = (await namesIn(tree, `etc/selinux/${type}/policy`)).filter((n) => /^policy\.\d+$/.test(n))
  const newest = policies.sort((a, b) => Number(a.slice(7)) - Number(b.slice(7))).at(-1)
  const policy = newest && (await fileIn(tree, `etc/selinux/${type}/policy/${newest}`))
  return policy && createHash('sha256').update(policy).digest('hex')
}

/** SHA-256 over the root's microcode files (names and contents); undefined when it ships none. */
export async function microcodeDigest(tree: string): Promise<string | undefined> {
  const hash = createHash('sha256')
  let files = 0
  for (const dir of MICROCODE_DIRS) {
    for (const name of await namesIn(tree, dir)) {
      const content = await fileIn(tree, join(dir, name))
      if (!content) continue
      hash.update(`${dir}/${name}\0`).update(content)
      files++
    }
  }

  return files > 0 ? hash.digest('hex') : undefined
}
