// Staging, unstaging and switching mount and write files owned by others: only root can, so say so first.
import {NextrootError} from './errors.js'

export function requireRoot(action: string): void {
  if (process.getuid?.() === 0) return
  throw new NextrootError('NR_NOT_ROOT', `Only root can ${action}.`, {
    hints: ['Run it with sudo, or as root.'],
  })
}
