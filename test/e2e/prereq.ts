// What this host lacks to boot the guest, phrased as what to install or run.
import {accessSync, constants} from 'node:fs'
import path from 'node:path'
import {imagesBuilt} from './images.js'

const onPath = (tool: string) =>
  (process.env.PATH ?? '').split(':').some((dir) => {
    try {
      accessSync(path.join(dir, tool), constants.X_OK)
      return true
    } catch {
      return false
    }
  })

export function missingPrerequisites(): string | undefined {
  const tools = ['qemu-system-x86_64', 'qemu-img'].filter((t) => !onPath(t))
  if (tools.length > 0) {
    return `${tools.join(' and ')} not found; install with: sudo bash images/host-deps.sh (qemu-system-x86 qemu-utils debootstrap e2fsprogs)`
  }
  if (imagesBuilt()) return undefined
  if (process.getuid?.() !== 0) {
    return 'the guest images are not built and building them needs root: run sudo bash images/build.sh once'
  }
  if (!onPath('debootstrap')) return 'debootstrap not found; install with: sudo bash images/host-deps.sh'
  return undefined
}
