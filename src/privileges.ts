// Staging mounts and writes files owned by other users: only root can, so say so before doing anything.
import {NextrootError} from './errors.js'

export function requireRoot(action: string): void {
  if (process.getuid?.() === 0) return
  throw new NextrootError('NR_NOT_ROOT', `Only root can ${action}.`, {
    hints: ['Run it with sudo, or as root.'],
  })
}
