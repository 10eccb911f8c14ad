// Gathers what carry-over planning needs: which carried paths the machine has, where each lands in the
// staged tree (resolved inside the tree, so a hostile symlink there never points a mount or a write at the
// host), both sides' account files, and mounts an earlier attempt left below the staged root.
import {lstat, readFile, readdir} from 'node:fs/promises'
import {basename, dirname, join, relative} from 'node:path'

import type {Config} from '../config.js'
import {NextrootError} from '../errors.js'
import {mountAt} from '../host/mounts.js'
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

/** Where `dir` of the staged tree lands below the armed path (resolved in the root that is assembled there). */
async function armedTarget(base: string, armed: string, dir: string): Promise<string> {
  return join(armed, relative(base, await treeTarget(base, dir)))
}

export async function gatherCarryFacts(
  config: Config,
  paths: {tree: string; armed: string; hostRoot: string; usrOnly: boolean},
): Promise<CarryFacts> {
  const {tree, armed, hostRoot, usrOnly} = paths
  // a /usr-only image is assembled from the running root: its directories are the ones mounts land on
  const base = usrOnly ? hostRoot : tree
  const dirs = await Promise.all(
    config.carryDirs
      .filter((dir) => dir !== '/')
      .map(async (dir) =>
        (await exists(join(hostRoot, dir)))
          ? [{source: join(hostRoot, dir), target: await armedTarget(base, armed, dir)}]
          : [],
      ),
  )
  const names = usrOnly ? [] : await expandFiles(hostRoot, config.carryFiles)
  const files = await Promise.all(
    names.map(async (name) => ({source: join(hostRoot, name), target: await treeTarget(tree, name)})),
  )
  const merge = config.mergeUsers && !usrOnly
  const targets = merge
    ? (Object.fromEntries(
        await Promise.all(ACCOUNT_FILES.map(async (name) => [name, await treeTarget(tree, `/etc/${name}`)])),
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
    leftover: (await mountAt(armed)) !== undefined,
  }
}
