// Puts the shipped nextroot-metrics.service and .timer into a root's /etc/systemd/system, with the timer
// linked into timers.target.wants (as `systemctl enable` would) and, for a textfile directory other than
// the default, a drop-in naming it. Idempotent: the same files again change nothing.
import {readFile} from 'node:fs/promises'
import {join} from 'node:path'

import {shippedFile} from './files.js'
import {type PlaceAction, type Wanted, placeFiles, removeFiles} from './place.js'

export const METRICS_SERVICE = 'nextroot-metrics.service'
export const METRICS_TIMER = 'nextroot-metrics.timer'
export const DEFAULT_TEXTFILE_DIR = '/var/lib/prometheus/node-exporter'

export type MetricsInstallAction = PlaceAction

export interface MetricsInstallResult {
  action: MetricsInstallAction
  files: string[]
  textfileDir: string
}

const dropInOf = (dir: string) => join(dir, `${METRICS_SERVICE}.d`, '50-nextroot-textfile.conf')

/** Every file as path -> content (a symlink as its target), for the given textfile directory. */
async function wanted(dir: string, textfileDir: string): Promise<Map<string, Wanted>> {
  const files = new Map<string, Wanted>()
  for (const name of [METRICS_SERVICE, METRICS_TIMER])
    files.set(join(dir, name), {text: await readFile(await shippedFile(name), 'utf8')})
  files.set(join(dir, 'timers.target.wants', METRICS_TIMER), {link: `../${METRICS_TIMER}`})
  if (textfileDir !== DEFAULT_TEXTFILE_DIR)
    files.set(dropInOf(dir), {
      text: `# Written by \`nextroot install --metrics --textfile\`.\n[Service]\nEnvironment=NEXTROOT_TEXTFILE_DIR=${textfileDir.replaceAll('%', '%%')}\n`,
    })
  return files
}

export async function installMetricsUnits(
  root: string,
  textfileDir = DEFAULT_TEXTFILE_DIR,
): Promise<MetricsInstallResult> {
  const dir = join(root, 'etc/systemd/system')
  const files = await wanted(dir, textfileDir)
  const stray = files.has(dropInOf(dir)) ? [] : [dropInOf(dir)]
  return {action: await placeFiles(files, stray), files: [...files.keys()], textfileDir}
}

export async function removeMetricsUnits(root: string): Promise<MetricsInstallResult> {
  const dir = join(root, 'etc/systemd/system')
  const paths = [...(await wanted(dir, DEFAULT_TEXTFILE_DIR)).keys(), dropInOf(dir)]
  return {action: await removeFiles(paths), files: paths, textfileDir: DEFAULT_TEXTFILE_DIR}
}
