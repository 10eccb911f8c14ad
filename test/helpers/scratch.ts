// Temporary directories for tests, removed with everything mounted under them (even after a failure).
import {mkdtemp, readFile, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {execa} from 'execa'

/** A fresh directory under the system's temporary directory. */
export async function scratchDir(label: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `nextroot-${label}-`))
}

/** Mount points at or under `dir`, deepest (and most recent) first. */
export async function mountsUnder(dir: string): Promise<string[]> {
  const text = await readFile('/proc/self/mountinfo', 'utf8')
  const points = text
    .split('\n')
    .filter(Boolean)
    .map((line) =>
      line
        .split(' ')[4]
        .replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(Number.parseInt(o, 8))),
    )
    .filter((point) => point === dir || point.startsWith(dir + '/'))
  return points.reverse()
}

/** Unmounts everything under `dir` (lazily if busy), then deletes it. */
export async function removeScratch(dir: string): Promise<void> {
  for (let round = 0; round < 10; round++) {
    const points = await mountsUnder(dir)
    if (points.length === 0) break
    for (const point of points) {
      const result = await execa('umount', [point], {reject: false})
      if (result.exitCode !== 0) await execa('umount', ['-l', point], {reject: false})
    }
  }

  await rm(dir, {recursive: true, force: true})
}

/** Runs `body` with a scratch directory that is cleaned up afterwards, whatever happens. */
export async function withScratch<T>(label: string, body: (dir: string) => Promise<T>): Promise<T> {
  const dir = await scratchDir(label)
  try {
    return await body(dir)
  } finally {
    await removeScratch(dir)
  }
}
