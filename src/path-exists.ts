// One answer to "is there something at this path (following symlinks)", for the places where a missing
// file is a fact to act on rather than an error.
import {access} from 'node:fs/promises'

export function pathExists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  )
}
