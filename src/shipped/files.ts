// Finds the files nextroot ships in its package's units/ directory, from wherever the code runs (the sources
// under tsx, dist/ when built, the bundle).
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {pathExists} from '../absent.js'

/** A file from units/ of the installed package, found upwards from this module. */
export async function shippedFile(name: string): Promise<string> {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (let up = 0; up < 4; up++, dir = dirname(dir)) {
    const candidate = join(dir, 'units', name)
    if (await pathExists(candidate)) return candidate
  }

  throw new Error(`units/${name} is missing from the nextroot package`)
}
