// Gathers the reboot-required flags and what judging them needs: when each listed package was installed
// (dpkg's file list, or rpm's INSTALLTIME), so a flag /run kept through a soft reboot, or one a package
// manager wrote after it for a package already installed before it, is known to be satisfied.
import {readFile, readdir, stat} from 'node:fs/promises'
import {join} from 'node:path'

import {orUnknown, unlessAbsent} from '../absent.js'
import {run} from '../exec/run.js'
import {debug} from '../log.js'

export interface RebootFlag {
  /** The packages /run/reboot-required.pkgs lists (none when it is absent or empty). */
  packages: string[]
  /** When each listed package's files were installed, in ms since the epoch; absent when unknown. */
  installedAt: Record<string, number>
}

const DPKG_INFO = 'var/lib/dpkg/info'

/** dpkg rewrites a package's file list when it unpacks it: its mtime is when the files landed. */
async function dpkgInstallTimes(hostRoot: string, packages: string[]): Promise<Record<string, number>> {
  const dir = join(hostRoot, DPKG_INFO)
  const names = await unlessAbsent(dir, readdir(dir))
  if (!names) return {}
  const times: Record<string, number> = {}
  for (const pkg of packages) {
    // one list per architecture installed (libc6:amd64, libc6:i386): the latest unpack counts
    const lists = names.filter(
      (name) => name === `${pkg}.list` || (name.startsWith(`${pkg}:`) && name.endsWith('.list')),
    )
    const mtimes = await Promise.all(lists.map(async (list) => (await stat(join(dir, list))).mtimeMs))
    if (mtimes.length > 0) times[pkg] = Math.max(...mtimes)
  }
  return times
}

/** rpm keeps INSTALLTIME per package (seconds); only asked where there is no dpkg database. */
async function rpmInstallTimes(hostRoot: string, packages: string[]): Promise<Record<string, number>> {
  const args = ['--root', hostRoot, '-q', '--qf', '%{NAME} %{INSTALLTIME}\\n', ...packages]
  const result = await orUnknown('rpm install times', run('rpm', args, {okExitCodes: [1]}))
  const times: Record<string, number> = {}
  for (const [, name, seconds] of (result?.stdout ?? '').matchAll(/^(\S+) (\d+)$/gm))
    times[name] = Math.max(times[name] ?? 0, Number(seconds) * 1000)
  return times
}

async function installTimes(hostRoot: string, packages: string[]): Promise<Record<string, number>> {
  if (packages.length === 0) return {}
  const dpkg = await dpkgInstallTimes(hostRoot, packages)
  if (Object.keys(dpkg).length > 0) return dpkg
  const rpm = await rpmInstallTimes(hostRoot, packages)
  const unknown = packages.filter((pkg) => rpm[pkg] === undefined)
  if (unknown.length > 0)
    debug(`install time unknown for ${unknown.join(', ')}: their flags count as pending`)
  return rpm
}

export async function gatherRebootFlag(hostRoot: string): Promise<RebootFlag | undefined> {
  const flag = await unlessAbsent('/run/reboot-required', readFile(join(hostRoot, 'run/reboot-required')))
  if (flag === undefined) return undefined
  const path = join(hostRoot, 'run/reboot-required.pkgs')
  const listed = (await unlessAbsent(path, readFile(path, 'utf8'))) ?? ''
  const packages = [...new Set(listed.split('\n').map((line) => line.trim()))].filter(Boolean).sort()
  return {packages, installedAt: await installTimes(hostRoot, packages)}
}
