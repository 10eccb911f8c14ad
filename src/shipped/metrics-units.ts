// Puts the shipped nextroot-metrics.service and .timer into a root's /etc/systemd/system, with the timer
// linked into timers.target.wants (as `systemctl enable` would) and, for a textfile directory other than
// the default, a drop-in naming it. Idempotent: the same files again change nothing.
import {lstat, mkdir, readFile, readlink, rm, symlink, writeFile} from 'node:fs/promises'
import {dirname, join} from 'node:path'

import {unlessAbsent} from '../absent.js'
import {removeEmptyDir} from '../host/mount.js'
import {shippedFile} from './files.js'

export const METRICS_SERVICE = 'nextroot-metrics.service'
export const METRICS_TIMER = 'nextroot-metrics.timer'
export const DEFAULT_TEXTFILE_DIR = '/var/lib/prometheus/node-exporter'

export type MetricsInstallAction = 'installed' | 'unchanged' | 'removed' | 'absent'

export interface MetricsInstallResult {
  action: MetricsInstallAction
  files: string[]
  textfileDir: string
}

/** Every file as path -> content (a symlink as its target), for the given textfile directory. */
async function wanted(
  dir: string,
  textfileDir: string,
): Promise<Map<string, {text?: string; link?: string}>> {
  const files = new Map<string, {text?: string; link?: string}>()
  for (const name of [METRICS_SERVICE, METRICS_TIMER])
    files.set(join(dir, name), {text: await readFile(await shippedFile(name), 'utf8')})
  files.set(join(dir, 'timers.target.wants', METRICS_TIMER), {link: `../${METRICS_TIMER}`})
  if (textfileDir !== DEFAULT_TEXTFILE_DIR)
    files.set(join(dir, `${METRICS_SERVICE}.d`, '50-nextroot-textfile.conf'), {
      text: `# Written by \`nextroot install --metrics --textfile\`.\n[Service]\nEnvironment=NEXTROOT_TEXTFILE_DIR=${textfileDir.replaceAll('%', '%%')}\n`,
    })
  return files
}

async function isThere(path: string, want: {text?: string; link?: string}): Promise<boolean> {
  if (want.link !== undefined) return (await unlessAbsent(path, readlink(path))) === want.link
  return (await unlessAbsent(path, readFile(path, 'utf8'))) === want.text
}

export async function installMetricsUnits(
  root: string,
  textfileDir = DEFAULT_TEXTFILE_DIR,
): Promise<MetricsInstallResult> {
  const dir = join(root, 'etc/systemd/system')
  const files = await wanted(dir, textfileDir)
  const dropIn = join(dir, `${METRICS_SERVICE}.d`, '50-nextroot-textfile.conf')
  const stray = !files.has(dropIn) && (await unlessAbsent(dropIn, lstat(dropIn))) !== undefined
  const present = await Promise.all([...files].map(([path, want]) => isThere(path, want)))
  const result = {files: [...files.keys()], textfileDir}
  if (present.every(Boolean) && !stray) return {...result, action: 'unchanged' as const}
  for (const [path, want] of files) {
    await mkdir(dirname(path), {recursive: true})
    await rm(path, {force: true})
    if (want.link !== undefined) await symlink(want.link, path)
    else await writeFile(path, want.text ?? '', {mode: 0o644})
  }
  if (stray) {
    await rm(dropIn, {force: true})
    await removeEmptyDir(dirname(dropIn))
  }
  return {...result, action: 'installed' as const}
}

export async function removeMetricsUnits(root: string): Promise<MetricsInstallResult> {
  const dir = join(root, 'etc/systemd/system')
  const dropIn = join(dir, `${METRICS_SERVICE}.d`, '50-nextroot-textfile.conf')
  const paths = [...(await wanted(dir, DEFAULT_TEXTFILE_DIR)).keys(), dropIn]
  const found = await Promise.all(paths.map((path) => unlessAbsent(path, lstat(path))))
  await Promise.all(paths.map((path) => rm(path, {force: true})))
  await removeEmptyDir(dirname(dropIn))
  const action = found.some((stats) => stats !== undefined) ? 'removed' : 'absent'
  return {action, files: paths, textfileDir: DEFAULT_TEXTFILE_DIR}
}
