// Whether a switch can be made to last past the next full reboot (pure): on btrfs, the staged subvolume becomes
// the default one, so a boot that names no subvolume mounts it as /. Refused wherever that boot would not
// find the machine it left: another file system, a boot that names its subvolume, machine data not in fstab.
import {NextrootError} from '../errors.js'

export interface PersistFacts {
  /** The staged tree. */
  tree: string
  /** The tree is a btrfs subvolume (staged into a store on btrfs). */
  subvolume: boolean
  /** The tree's file system is the running root's. */
  sameFileSystem: boolean
  /** subvol=/subvolid= the kernel command line (rootflags=) or the machine's fstab gives for /. */
  rootSubvolume?: string
  /** Carried directories that exist but have no fstab entry: a full boot would see the image's copies. */
  dirsNotInFstab: string[]
  /** The tree's subvolume id, and the default one now (restored if the new userspace is unhealthy). */
  subvolumeId?: string
  previousDefault?: string
}

export function persistRefusal(facts: PersistFacts): NextrootError | undefined {
  const refuse = (why: string, hints: string[]) =>
    new NextrootError('NR_CANNOT_PERSIST', `--persist: ${why}`, {
      hints: [...hints, 'Without --persist the switch lasts until the next full reboot.'],
      details: {...facts},
    })
  if (!facts.subvolume)
    return refuse(`the staged tree ${facts.tree} is not a btrfs subvolume.`, [
      'Stage an archive with the state directory on the root btrfs (nextroot creates a subvolume there).',
    ])
  if (!facts.sameFileSystem)
    return refuse('the staged subvolume is not on the running root file system.', [
      'Point --state-dir at a directory on the root btrfs.',
    ])
  if (facts.rootSubvolume)
    return refuse(
      `the boot mounts / as ${facts.rootSubvolume}, so the default subvolume would not be used.`,
      [
        'Drop subvol=/subvolid= for / from the kernel command line and /etc/fstab, or let the boot loader pick the root.',
      ],
    )
  if (facts.dirsNotInFstab.length > 0)
    return refuse(
      `${facts.dirsNotInFstab.join(', ')} would be the image's after a full reboot: /etc/fstab does not mount them.`,
      ['Give them subvolumes of their own, mounted in /etc/fstab, or set CARRY_DIRS= accordingly.'],
    )
  return undefined
}
