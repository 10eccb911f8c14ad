// The one module that mounts and unmounts (through mount(8)/umount(8)): bind a staged tree, mount an image.
import {mkdir, rmdir} from 'node:fs/promises'

import {NextrootError, errnoCode} from '../errors.js'
import {run} from '../exec/run.js'
import {mountAt} from './mounts.js'

/** File-system images nextroot mounts (recognised by their super block, see stage/source.ts). */
export type FsType = 'ext4' | 'erofs' | 'squashfs'

/** Formats that exist only read-only are mounted that way; ext4 is mounted writable, as a root would be. */
const READ_ONLY: Record<FsType, boolean> = {ext4: false, erofs: true, squashfs: true}

async function mountCommand(args: string[], what: string): Promise<void> {
  try {
    await run('mount', args)
  } catch (error) {
    if (error instanceof NextrootError && error.code === 'NR_MISSING_TOOL') throw error
    throw new NextrootError('NR_MOUNT_FAILED', `Could not mount ${what}.`, {
      hints: error instanceof NextrootError ? error.hints : [],
      cause: error,
    })
  }
}

/**
 * The mount option that keeps a mount through the shutdown of a soft reboot: systemd treats a mount with
 * x-initrd.mount (mount(8) keeps it in /run/mount/utab) as extrinsic outside the initrd and never stops it,
 * as it does for everything below /run/nextroot (systemd's fstab_is_extrinsic()).
 */
export const KEEP_AT_SHUTDOWN = 'x-initrd.mount'

export interface BindOptions {
  /** Keep the mount through a soft reboot's shutdown (KEEP_AT_SHUTDOWN). */
  keep?: boolean
}

function bindArgs(
  flag: '--bind' | '--rbind',
  source: string,
  target: string,
  options: BindOptions,
): string[] {
  return [flag, ...(options.keep ? ['-o', KEEP_AT_SHUTDOWN] : []), source, target]
}

export async function bindMount(tree: string, target: string, options: BindOptions = {}): Promise<void> {
  await mkdir(target, {recursive: true})
  await mountCommand(bindArgs('--bind', tree, target, options), `${tree} at ${target}`)
}

/** Shares `source` and every mount below it at `target` (mount --rbind). */
export async function rbindMount(source: string, target: string, options: BindOptions = {}): Promise<void> {
  await mountCommand(bindArgs('--rbind', source, target, options), `${source} at ${target}`)
}

/**
 * Marks a mount in place with KEEP_AT_SHUTDOWN (mount(8) records it in /run/mount/utab, systemd reads it
 * there), its per-mount flags given again so that the bind remount leaves them as they are.
 */
export async function keepThroughSoftReboot(target: string, perMountOptions: string): Promise<void> {
  const options = ['remount', 'bind', ...perMountOptions.split(',').filter(Boolean), KEEP_AT_SHUTDOWN]
  await mountCommand(['-o', options.join(','), target], `${target} kept through soft reboots`)
}

/** Stops mount events at `target` from propagating to its peers (and back). */
export async function makePrivate(target: string): Promise<void> {
  await mountCommand(['--make-private', target], `${target} private`)
}

export async function mountImage(image: string, fsType: FsType, target: string): Promise<void> {
  await mkdir(target, {recursive: true})
  const options = READ_ONLY[fsType] ? 'ro' : 'rw'
  await mountCommand(['-t', fsType, '-o', options, image, target], `${fsType} image ${image}`)
}

/** Unmounts every mount stacked at `target` with the mounts below it (no-op when nothing is mounted there). */
export async function unmountAll(target: string): Promise<void> {
  while (await mountAt(target)) await run('umount', ['-R', target])
}

/** Unmounts and removes a private mount point under the state directory. */
export async function discardMountPoint(target: string): Promise<void> {
  await unmountAll(target)
  await removeEmptyDir(target)
}

/** Removes a directory nextroot created, if it is empty; one that is gone or holds files is left as it is. */
export async function removeEmptyDir(path: string): Promise<void> {
  try {
    await rmdir(path)
  } catch (error) {
    if (!['ENOENT', 'ENOTEMPTY', 'EEXIST', 'EBUSY'].includes(errnoCode(error) ?? '')) throw error
  }
}
