// Places a set of shipped files (unit files, drop-ins, .wants links) into a root idempotently: the same
// set again changes nothing and says so; removal takes out exactly the set's paths.
import {lstat, mkdir, readFile, readlink, rm, symlink, writeFile} from 'node:fs/promises'
import {dirname} from 'node:path'

import {unlessAbsent} from '../absent.js'
import {removeEmptyDir} from '../host/mount.js'

/** A file's wanted content, or the target of a symlink. */
export type Wanted = {text: string} | {link: string}

export type PlaceAction = 'installed' | 'unchanged' | 'removed' | 'absent'

async function isThere(path: string, want: Wanted): Promise<boolean> {
  if ('link' in want) return (await unlessAbsent(path, readlink(path))) === want.link
  return (await unlessAbsent(path, readFile(path, 'utf8'))) === want.text
}

/** Writes every file that differs from what it should be; `stray` paths (no longer wanted) are removed. */
export async function placeFiles(files: Map<string, Wanted>, stray: string[] = []): Promise<PlaceAction> {
  const strayFound = await Promise.all(stray.map((path) => unlessAbsent(path, lstat(path))))
  const present = await Promise.all([...files].map(([path, want]) => isThere(path, want)))
  if (present.every(Boolean) && strayFound.every((stats) => stats === undefined)) return 'unchanged'
  for (const [path, want] of files) {
    await mkdir(dirname(path), {recursive: true})
    await rm(path, {force: true})
    if ('link' in want) await symlink(want.link, path)
    else await writeFile(path, want.text, {mode: 0o644})
  }
  await removeFiles(stray)
  return 'installed'
}

/** Removes the paths (and drop-in directories left empty); 'absent' when none was there. */
export async function removeFiles(paths: string[]): Promise<PlaceAction> {
  const found = await Promise.all(paths.map((path) => unlessAbsent(path, lstat(path))))
  await Promise.all(paths.map((path) => rm(path, {force: true})))
  for (const dir of new Set(paths.map((path) => dirname(path)).filter((dir) => dir.endsWith('.d'))))
    await removeEmptyDir(dir)
  return found.some((stats) => stats !== undefined) ? 'removed' : 'absent'
}
