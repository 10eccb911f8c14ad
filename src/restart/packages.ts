// The packages the last transaction changed, as the apt hook recorded them (DPkg::Pre-Install-Pkgs, protocol
// 3), and the service units they ship: where a unit says X-RestartOnUpgrade=yes, that is reason enough.
import {appendFile, mkdir, readFile, rm} from 'node:fs/promises'
import {dirname} from 'node:path'

import {orUnknown, unlessAbsent} from '../absent.js'
import {run} from '../exec/run.js'
import type {Locations} from '../locations.js'
import {changedPackagesPath} from '../state/layout.js'

const UNIT_FILE = /\/systemd\/(system|user)\/([^/]+\.service)$/

/**
 * Package names from apt's protocol 3 (`VERSION 3`, configuration lines, a blank line, then one line per
 * package: name, old version, old arch, old multi-arch, direction, new version, ...): those changed in place
 * (upgraded, downgraded, reinstalled), not those newly installed or removed; each once (apt lists a package
 * for its unpacking and again for its configuration).
 */
export function parseAptHookInfo(text: string): string[] {
  const blank = text.indexOf('\n\n')
  if (!text.startsWith('VERSION 3') || blank === -1) return []
  return text
    .slice(blank + 2)
    .split('\n')
    .map((line) => line.split(' '))
    .filter((fields) => fields.length >= 9 && fields[1] !== '-' && fields[8] !== '**REMOVE**')
    .map((fields) => fields[0])
    .filter((name, i, names) => names.indexOf(name) === i)
}

export async function recordChangedPackages(locations: Locations, names: string[]): Promise<void> {
  if (names.length === 0) return
  const path = changedPackagesPath(locations)
  await mkdir(dirname(path), {recursive: true})
  await appendFile(path, names.map((name) => `${name}\n`).join(''))
}

export async function clearChangedPackages(locations: Locations): Promise<void> {
  await rm(changedPackagesPath(locations), {force: true})
}

export async function changedPackages(locations: Locations): Promise<string[]> {
  const path = changedPackagesPath(locations)
  const text = (await unlessAbsent(path, readFile(path, 'utf8'))) ?? ''
  return [...new Set(text.split('\n').filter(Boolean))].sort()
}

/** The service units (system and user) the changed packages ship; none without dpkg-query (not Debian). */
export async function changedPackageUnits(locations: Locations): Promise<string[]> {
  const names = await changedPackages(locations)
  if (names.length === 0) return []
  // exit 1: some package is gone meanwhile; the others are still listed
  const listed = await orUnknown('dpkg-query -L', run('dpkg-query', ['-L', ...names], {okExitCodes: [1]}))
  const units = (listed?.stdout ?? '').split('\n').flatMap((path) => UNIT_FILE.exec(path)?.[2] ?? [])
  return [...new Set(units)].sort()
}
