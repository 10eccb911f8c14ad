// Resolves a path inside a root tree the way that root would see it: absolute symlinks point into the tree,
// '..' stops at the tree's root, so inspecting an untrusted tree never reads the host's files.
import {lstat, readlink} from 'node:fs/promises'
import {join} from 'node:path'

import {errnoCode} from '../errors.js'

const MAX_SYMLINKS = 40

/** The host path of `relative` inside `tree`, following symlinks within the tree; undefined if absent. */
export async function resolveInTree(tree: string, relative: string): Promise<string | undefined> {
  const pending = relative.split('/').filter(Boolean)
  const resolved: string[] = []
  let links = 0
  while (pending.length > 0) {
    const part = pending.shift() as string
    if (part === '.') continue
    if (part === '..') {
      resolved.pop()
      continue
    }

    const candidate = join(tree, ...resolved, part)
    let stats
    try {
      stats = await lstat(candidate)
    } catch (error) {
      if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') return undefined
      throw error
    }

    if (!stats.isSymbolicLink()) {
      resolved.push(part)
      continue
    }

    if (++links > MAX_SYMLINKS) return undefined
    const target = await readlink(candidate)
    if (target.startsWith('/')) resolved.length = 0
    pending.unshift(...target.split('/').filter(Boolean))
  }

  return join(tree, ...resolved)
}
