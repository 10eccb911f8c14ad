// The package manager that installs an offline payload: the commands as values (pure, shown by --dry-run
// and recorded), a trial run at prepare time, and the versions installed before and after.
import {arch} from 'node:os'
import {join} from 'node:path'

import {orUnknown} from '../absent.js'
import {NextrootError} from '../errors.js'
import {run} from '../exec/run.js'
import type {PayloadKind, PayloadPackage} from './record.js'

/** Which tools are there: apt-get resolves the order and dependencies of .debs better than dpkg alone. */
export interface Tools {
  aptGet: boolean
  dnf: boolean
}

const DPKG_CONF = ['--force-confdef', '--force-confold']

/** The command that installs the payload in update mode (no network: nothing is downloaded). */
export function installCommand(kind: PayloadKind, files: string[], tools: Tools): string[] {
  if (kind === 'deb')
    return tools.aptGet
      ? [
          'apt-get',
          'install',
          '--yes',
          // not --no-download: apt then hands dpkg relative names ("Pathname to install is not absolute");
          // the trial at prepare refuses a payload that needs anything from the network
          '--allow-downgrades',
          ...DPKG_CONF.flatMap((option) => ['-o', `Dpkg::Options::=${option}`]),
          ...files,
        ]
      : ['dpkg', '--install', ...DPKG_CONF, ...files]
  return tools.dnf
    ? ['dnf', 'install', '--assumeyes', '--cacheonly', ...files]
    : ['rpm', '--upgrade', '--replacepkgs', ...files]
}

/** The same install, tried without changing anything: what prepare refuses on. */
export function trialCommand(kind: PayloadKind, files: string[], tools: Tools): string[] {
  if (kind === 'deb')
    return tools.aptGet
      ? ['apt-get', 'install', '--simulate', '--allow-downgrades', ...files]
      : ['dpkg', '--no-act', '--install', ...files]
  return ['rpm', '--upgrade', '--test', '--replacepkgs', ...files]
}

export async function gatherTools(): Promise<Tools> {
  const has = async (tool: string) =>
    (await orUnknown(`${tool} --version`, run(tool, ['--version']))) !== undefined
  const [aptGet, dnf] = await Promise.all([has('apt-get'), has('dnf')])
  return {aptGet, dnf}
}

/** This machine's package architecture, as the package manager names it. */
export async function machineArch(kind: PayloadKind): Promise<string> {
  if (kind === 'deb') return (await run('dpkg', ['--print-architecture'])).stdout.trim()
  return ({x64: 'x86_64', arm64: 'aarch64'} as Record<string, string>)[arch()] ?? arch()
}

/** Packages built for another machine: refused at prepare, before anything is published. */
export function wrongArch(packages: PayloadPackage[], machine: string, kind: PayloadKind): PayloadPackage[] {
  const any = kind === 'deb' ? 'all' : 'noarch'
  return packages.filter((pkg) => pkg.arch !== any && pkg.arch !== machine)
}

export function payloadFiles(dir: string, packages: PayloadPackage[]): string[] {
  return packages.map((pkg) => join(dir, pkg.file))
}

/** dpkg-query's "ii \t2.0": the version, marked when dpkg left the package half-installed or unconfigured. */
function debVersion(text: string): string | undefined {
  const [status = '', version = ''] = text.split('\t')
  if (!version || status[1] === 'n') return undefined
  return status[1] === 'i' ? version : `${version} (dpkg status ${status.trim()})`
}

/** The installed version of each package (undefined: not installed). */
export async function installedVersions(
  kind: PayloadKind,
  names: string[],
): Promise<Record<string, string | undefined>> {
  const entries = await Promise.all(
    names.map(async (name) => {
      const [file, ...args] =
        kind === 'deb'
          ? ['dpkg-query', '--show', '--showformat=${db:Status-Abbrev}\t${Version}', name]
          : ['rpm', '-q', '--qf', '%{EPOCHNUM}:%{VERSION}-%{RELEASE}', name]
      const answer = await orUnknown(`${file} ${name}`, run(file, args))
      return [
        name,
        kind === 'deb' ? debVersion(answer?.stdout ?? '') : answer?.stdout.trim() || undefined,
      ] as const
    }),
  )
  return Object.fromEntries(entries)
}

/** Packages apt's simulation installs that the payload does not bring: update mode has no network for them. */
export function fetchedBeyond(simulation: string, payload: string[]): string[] {
  const installed = [...simulation.matchAll(/^Inst (\S+)/gm)].map((m) => m[1].replace(/:\S+$/, ''))
  return installed.filter((name) => !payload.includes(name))
}

function uninstallable(message: string, hints: string[], cause?: unknown): NextrootError {
  return new NextrootError(
    'NR_OFFLINE_UNINSTALLABLE',
    `The package manager would not install this payload: ${message}`,
    {
      hints: [...hints, 'Add the missing dependencies to the payload; nothing was prepared.'],
      cause,
    },
  )
}

/** Runs the trial; a payload the package manager cannot install, or not without the network, is refused. */
export async function tryInstall(command: string[], payload: string[]): Promise<void> {
  const [file, ...args] = command
  try {
    const {stdout} = await run(file, args, {env: {DEBIAN_FRONTEND: 'noninteractive'}})
    const fetched = fetchedBeyond(stdout, payload)
    if (fetched.length > 0)
      throw uninstallable(
        `it also needs ${fetched.join(', ')}, which update mode would have to download.`,
        [],
      )
  } catch (error) {
    if (!(error instanceof NextrootError) || error.code !== 'NR_COMMAND_FAILED') throw error
    throw uninstallable(error.message, error.hints, error)
  }
}
