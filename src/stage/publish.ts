// The commit point of staging: the record names the new root, then the mount at the nextroot path switches
// to it. If the new mount fails, the previous record and mount are put back, so the old root stays staged.
import {bindMount, mountImage, unmountAll, type FsType} from '../host/mount.js'
import {type StagedRecord, removeRecord, writeRecord} from '../state/record.js'

/** Makes a recorded root visible again at its nextroot path (a bind of its tree, or its image mounted). */
export async function mountRecord(record: StagedRecord): Promise<void> {
  if (record.tree) return bindMount(record.tree, record.nextroot)
  return mountImage(record.source, record.fsType as FsType, record.nextroot)
}

export async function publish(
  record: StagedRecord,
  tree: string,
  previous: StagedRecord | undefined,
  recordPath: string,
): Promise<void> {
  await writeRecord(recordPath, record)
  await unmountAll(record.nextroot)
  try {
    await bindMount(tree, record.nextroot)
  } catch (error) {
    if (previous) {
      await writeRecord(recordPath, previous)
      await mountRecord(previous)
    } else {
      await removeRecord(recordPath)
    }

    throw error
  }
}
