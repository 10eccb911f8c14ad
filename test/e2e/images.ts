// Builds (or reuses) the guest images once per test process through images/build.sh.
import {execa, execaSync} from 'execa'
import {existsSync} from 'node:fs'
import {readFile} from 'node:fs/promises'
import path from 'node:path'
import {repoRoot} from './paths.js'

const buildScript = path.join(repoRoot, 'images/build.sh')

export interface Images {
  dir: string
  kernel: string
  initrd: string
  variants: string[]
  versions: {systemd: string; linux: string; node: string}
  /** Seconds the build took when it was made. */
  buildSeconds: number
  /** Seconds this process spent getting the images (about 1 when reused). */
  seconds: number
  reused: boolean
}

/** The build dir for the current recipe, whether built or not. */
export function imagesDir(): string {
  return execaSync('bash', [buildScript, '--dir']).stdout.trim()
}

export function imagesBuilt(): boolean {
  return existsSync(path.join(imagesDir(), 'manifest.json'))
}

let pending: Promise<Images> | undefined

/** The images, built on the first call (the build's progress goes to stderr, or appended to `logFile`). */
export function ensureImages(logFile?: string): Promise<Images> {
  pending ??= build(logFile)
  return pending
}

async function build(logFile: string | undefined): Promise<Images> {
  const started = performance.now()
  const reused = imagesBuilt()
  const stderr = logFile ? {file: logFile, append: true} : 'inherit'
  const {stdout} = await execa('bash', [buildScript], {stderr})
  const dir = stdout.trim().split('\n').at(-1) ?? ''
  const manifest = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')) as {
    kernel: string
    initrd: string
    variants: string[]
    versions: Images['versions']
    buildSeconds: number
  }
  return {
    ...manifest,
    dir,
    kernel: path.join(dir, manifest.kernel),
    initrd: path.join(dir, manifest.initrd),
    seconds: (performance.now() - started) / 1000,
    reused,
  }
}
