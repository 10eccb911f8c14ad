// Gathers what carry-over planning needs: which carried paths the machine has, where each lands in the
// staged tree (resolved inside the tree, so a hostile symlink there never points a mount or a write at the
// host), both sides' account files, and mounts an earlier attempt left below the staged root.
import {lstat, readFile, readdir} from 'node:fs/promises'
import {basename, dirname, join} from 'node:path'

import type {Config} from '../config.js'
import {NextrootError} from '../errors.js'
import {readMounts} from '../host/mounts.js'
import {resolveInTree} from '../tree/tree-path.js'
import {ACCOUNT_FILES, type AccountFile, type CarryFacts} from './carry-over.js'
import type {AccountFiles} from './merge-users.js'

/** The symlink-free host path of `relative` inside `tree`, also when it does not exist yet. */
async function treeTarget(tree: string, relative: string): Promise<string> {
  const found = await resolveInTree(tree, relative)
  if (found) return found
  const parent = dirname(relative)
  const target = join(parent === '/' ? tree : await treeTarget(tree, parent), basename(relative))
  if ((await lstat(target).catch(() => undefined))?.isSymbolicLink())
    throw new NextrootError(
      'NR_NOT_READY',
      `The staged root's ${relative} is a symlink that leads nowhere in it.`,
      {
        hints: [
          'Fix the image, or leave that path out of CARRY_DIRS / CARRY_FILES in /etc/nextroot/nextroot.conf.',
        ],
      },
    )
  return target
}

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  )
}

/** CARRY_FILES entries the machine has; a trailing '*' matches names starting with what precedes it. */
async function expandFiles(hostRoot: string, patterns: string[]): Promise<string[]> {
  const found = await Promise.all(
    patterns.map(async (pattern) => {
      if (!pattern.endsWith('*')) return (await exists(join(hostRoot, pattern))) ? [pattern] : []
      const prefix = basename(pattern.slice(0, -1))
      const names = await readdir(join(hostRoot, dirname(pattern))).catch(() => [] as string[])
      return names.filter((name) => name.startsWith(prefix)).map((name) => join(dirname(pattern), name))
    }),
  )
  return [...new Set(found.flat())].sort()
}

async function accountFiles(root: (name: AccountFile) => Promise<string | undefined>): Promise<AccountFiles> {
  const texts = await Promise.all(
    ACCOUNT_FILES.map(async (name) => {
      const path = await root(name)
      return path ? readFile(path, 'utf8').catch(() => undefined) : undefined
    }),
  )
  const [passwd = '', group = '', shadow, gshadow] = texts
  return {passwd, group, shadow, gshadow}
}

async function leftovers(nextroot: string): Promise<string[]> {
  const mounts = await readMounts()
  return mounts
    .filter((mount) => mount.mountPoint.startsWith(nextroot + '/'))
    .map((mount) => mount.mountPoint)
    .reverse()
}

export async function gatherCarryFacts(
  config: Config,
  paths: {nextroot: string; hostRoot: string; aside: string; usrOnly: boolean},
): Promise<CarryFacts> {
  const {nextroot, hostRoot, usrOnly} = paths
  const dirs = await Promise.all(
    config.carryDirs
      .filter((dir) => dir !== '/')
      .map(async (dir) =>
        (await exists(join(hostRoot, dir)))
          ? [{source: join(hostRoot, dir), target: await treeTarget(nextroot, dir)}]
          : [],
      ),
  )
  const names = usrOnly ? [] : await expandFiles(hostRoot, config.carryFiles)
  const files = await Promise.all(
    names.map(async (name) => ({source: join(hostRoot, name), target: await treeTarget(nextroot, name)})),
  )
  const merge = config.mergeUsers && !usrOnly
  const targets = merge
    ? (Object.fromEntries(
        await Promise.all(
          ACCOUNT_FILES.map(async (name) => [name, await treeTarget(nextroot, `/etc/${name}`)]),
        ),
      ) as Record<AccountFile, string>)
    : undefined
  return {
    ...paths,
    dirs: dirs.flat(),
    files,
    accounts: targets && {
      image: await accountFiles(async (name) => targets[name]),
      machine: await accountFiles(async (name) => join(hostRoot, 'etc', name)),
      targets,
    },
    leftovers: await leftovers(nextroot),
  }
}
