// Carries the machine into the staged root: runs the planned steps in order (independent ones together), the
// one place carry-over changes anything. Files are written next to their target and renamed over it.
import {chmod, chown, copyFile, mkdir, rename, rm, stat, writeFile} from 'node:fs/promises'
import {basename, dirname, join} from 'node:path'

import {bindMount, makePrivate, rbindMount, unmountAll} from '../host/mount.js'
import type {CarryStep} from './carry-over.js'

/** Writes `content` (or a copy of `from`) as `target`, with the mode and owner of `like`. */
async function replaceFile(
  target: string,
  like: string,
  content: {text?: string; from?: string},
): Promise<void> {
  const temporary = join(dirname(target), `.${basename(target)}.nextroot-${process.pid}`)
  const model = await stat(like)
  await mkdir(dirname(target), {recursive: true})
  try {
    if (content.from) await copyFile(content.from, temporary)
    else await writeFile(temporary, content.text ?? '')
    await chown(temporary, model.uid, model.gid)
    await chmod(temporary, model.mode & 0o7777)
    await rename(temporary, target)
  } catch (error) {
    await rm(temporary, {force: true})
    throw error
  }
}

async function apply(step: CarryStep): Promise<void> {
  switch (step.kind) {
    case 'unmount':
      return unmountAll(step.target)
    case 'private':
      return makePrivate(step.target)
    case 'bind':
      // every bind assembles the armed tree: it must stay mounted through the soft reboot's shutdown
      if (!step.recursive) return bindMount(step.source, step.target, {keep: true})
      await mkdir(step.target, {recursive: true})
      return rbindMount(step.source, step.target, {keep: true})
    case 'copy':
      return replaceFile(step.target, step.source, {from: step.source})
    case 'write':
      return replaceFile(step.target, step.like, {text: step.content})
  }
}

/** Steps of one class touch distinct paths and may run together: shared directories, then files. */
function classOf(step: CarryStep): string | undefined {
  if (step.kind === 'bind' && step.recursive) return 'share'
  return step.kind === 'copy' || step.kind === 'write' ? 'file' : undefined
}

/** Runs the steps in order; consecutive steps of one class run concurrently (each spawn costs, under TCG a lot). */
export async function applyCarryOver(steps: CarryStep[]): Promise<void> {
  let batch: CarryStep[] = []
  const flush = async () => {
    await Promise.all(batch.map(apply))
    batch = []
  }

  for (const step of steps) {
    if (batch.length > 0 && classOf(step) !== classOf(batch[0])) await flush()
    if (classOf(step) === undefined) await apply(step)
    else batch.push(step)
  }

  await flush()
}
