// Guest steps and readers shared by the offline-update scenarios (packages, and a root image).
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import * as assert from 'uvu/assert'

import type {OfflineRecord} from '../../src/offline/record.js'
import type {OfflineStatus} from '../../src/offline/status.js'

/** The finish unit starts beside the driver (both after multi-user.target): wait (60 s at most) for its record. */
export const FINISHED =
  'for i in $(seq 60); do [ -z "$(ls -A /var/lib/nextroot/offline)" ] && break; sleep 1; done'

/** Once back in normal mode: the update's status, and no /system-update left. */
export const status = (name: string) =>
  `${FINISHED} && nextroot offline status --json > /e2e/out/status-${name}.json && test ! -e /system-update`

/** The test bed's CLI is on a disk mounted nofail (late in a cold boot): update mode's units wait for it. */
export const LATE_CLI = ['update', 'leave', 'finish']
  .map(
    (u) =>
      `mkdir -p /etc/systemd/system/nextroot-offline-${u}.service.d && printf '[Unit]\\nRequiresMountsFor=/opt/nextroot\\n' > /etc/systemd/system/nextroot-offline-${u}.service.d/50-e2e-cli.conf`,
  )
  .join(' && ')

function json<T>(run: {dir: string}, name: string): T {
  return (JSON.parse(readFileSync(join(run.dir, 'share/out', name), 'utf8')) as {result: T}).result
}

/** The finished record of the update a flow prepared (its status-NAME.json). */
export function finishedOffline(run: {dir: string}, name: string): OfflineRecord {
  const last = json<OfflineStatus>(run, `status-${name}.json`).last
  assert.ok(last, `no finished update after ${name}`)
  return last
}
