// Extraction against hostile archives, for the tests that feed them: an arena with a sentinel and a file
// outside the target, and `refuses`, which runs one archive streamed and from a file and checks nothing escaped.
import {lstat, mkdir, readdir, readFile, writeFile} from 'node:fs/promises'
import {basename, join} from 'node:path'

import {test} from 'uvu'
import * as assert from 'uvu/assert'

import {NextrootError} from '../../src/errors.js'
import {extractInto} from './extract.js'
import {removeScratch, scratchDir} from './scratch.js'
import {type Member, withTimeout} from './tar-craft.js'

export const file = (name: string, content: string | Buffer = 'x'): Member => [{name, type: 'file'}, content]
export const dir = (name: string): Member => [{name, type: 'directory', mode: 0o755}]
export const symlink = (name: string, linkname: string): Member => [{name, type: 'symlink', linkname}]
export const hardlink = (name: string, linkname: string): Member => [{name, type: 'link', linkname}]

export interface Arena {
  root: string
  target: string
  sentinel: string
  outsideFile: string
}

/** A scratch dir holding the (empty) target, a sentinel directory next to it and a file outside it. */
export async function arena(): Promise<Arena> {
  const root = await scratchDir('hostile')
  const target = join(root, 'target')
  const sentinel = join(root, 'sentinel')
  await mkdir(sentinel)
  await writeFile(join(sentinel, 'keep'), 'sentinel\n')
  await writeFile(join(root, 'outside-file'), 'outside\n')
  return {root, target, sentinel, outsideFile: join(root, 'outside-file')}
}

/** Nothing next to the target changed: same names, same sentinel, outside file not linked or rewritten. */
export async function assertOutsideUntouched(a: Arena, extraNames: string[] = []): Promise<void> {
  assert.equal((await readdir(a.root)).sort(), ['outside-file', 'sentinel', 'target', ...extraNames].sort())
  assert.equal(await readdir(a.sentinel), ['keep'])
  assert.is(await readFile(join(a.sentinel, 'keep'), 'utf8'), 'sentinel\n')
  assert.is(await readFile(a.outsideFile, 'utf8'), 'outside\n')
  assert.is((await lstat(a.outsideFile)).nlink, 1, 'the outside file got a hardlink')
}

async function refusal(archive: Buffer | string, a: Arena, via: Via): Promise<NextrootError> {
  try {
    await withTimeout(extractInto(archive, a.target, {via}), 20_000, 'extraction')
  } catch (error) {
    if (error instanceof NextrootError) return error
    throw error
  }

  throw new Error('the archive was accepted')
}

export type Via = 'stream' | 'file'

/**
 * Extracts `members`, expects the refusal `code`, and checks that nothing escaped; twice: streamed (as from
 * standard input) and from a file, whose plain archive's contents the tree worker copies from the file itself.
 */
export function refuses(
  title: string,
  code: string,
  make: (a: Arena) => Promise<Buffer | string> | Buffer,
  check?: (a: Arena) => Promise<void>,
) {
  for (const via of ['stream', 'file'] as const) {
    test(`${title} (${via})`, async () => {
      const a = await arena()
      try {
        const made = await make(a)
        const archive = via === 'file' && Buffer.isBuffer(made) ? join(a.root, 'archive') : made
        if (Buffer.isBuffer(made) && typeof archive === 'string') await writeFile(archive, made)
        const error = await refusal(archive, a, via)
        assert.is(error.code, code, error.message)
        await assertOutsideUntouched(a, typeof archive === 'string' ? [basename(archive)] : [])
        await check?.(a)
      } finally {
        await removeScratch(a.root)
      }
    })
  }
}

export async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  )
}
