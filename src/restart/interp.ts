// Interpreted programs whose script changed after they started (Python, Perl, Ruby and shells): the code that
// runs is the script the interpreter read at start, which no file mapping shows. Only the script named on the
// command line is looked at; modules it imported later are not (needrestart's own scan is no surer).
import {readFile, readlink, stat} from 'node:fs/promises'
import {isAbsolute, join} from 'node:path'

import {unlessAbsent, unlessGone} from '../absent.js'

const INTERPRETER = /^(python[0-9.]*|perl[0-9.]*|ruby[0-9.]*|bash|sh|dash|zsh)$/
/** Interpreter options that take the next word as their value (so it is not the script). */
const WITH_VALUE = new Set(['-m', '-c', '-e', '-E', '-W', '-X', '-o', '-O', '-I'])
/** Options after which there is no script: the code is on the command line or a module. */
const NO_SCRIPT = new Set(['-c', '-e', '-E', '-m'])

/** The script an interpreter runs, from its argv (undefined: not an interpreter, or code given inline). */
export function scriptOf(argv: string[]): string | undefined {
  const name = (argv[0] ?? '').split('/').at(-1) ?? ''
  if (!INTERPRETER.test(name)) return undefined
  for (let i = 1; i < argv.length; i++) {
    const word = argv[i]
    if (NO_SCRIPT.has(word)) return undefined
    if (word === '--') return argv[i + 1]
    if (!word.startsWith('-')) return word
    if (WITH_VALUE.has(word)) i++
  }

  return undefined
}

/** Seconds since the epoch a process started: its start in clock ticks after boot (USER_HZ = 100). */
export function startedAt(statText: string, bootTime: number): number | undefined {
  const fields = statText.slice(statText.lastIndexOf(')') + 2).split(' ')
  const ticks = Number(fields[19])
  return Number.isFinite(ticks) ? bootTime + ticks / 100 : undefined
}

/** The kernel's boot time (btime in /proc/stat), seconds since the epoch; undefined when it cannot be read. */
export async function bootTime(procRoot: string): Promise<number | undefined> {
  const path = join(procRoot, 'stat')
  const text = (await unlessAbsent(path, readFile(path, 'utf8'))) ?? ''
  const btime = /^btime (\d+)$/m.exec(text)?.[1]
  return btime === undefined ? undefined : Number(btime)
}

/** The script of process `dir` when it changed (ctime) after the process started; undefined otherwise. */
export async function changedScript(
  dir: string,
  hostRoot: string,
  boot: number,
): Promise<string | undefined> {
  const cmdline = await unlessGone(dir, readFile(join(dir, 'cmdline'), 'utf8'))
  const script = scriptOf((cmdline ?? '').split('\0').filter(Boolean))
  if (!script) return undefined
  const cwd = isAbsolute(script) ? '/' : await unlessGone(dir, readlink(join(dir, 'cwd')))
  if (cwd === undefined) return undefined
  const path = join(cwd, script)
  const [stats, statText] = await Promise.all([
    unlessAbsent(path, stat(join(hostRoot, path))),
    unlessGone(dir, readFile(join(dir, 'stat'), 'utf8')),
  ])
  const started = statText ? startedAt(statText, boot) : undefined
  if (!stats || started === undefined) return stats ? undefined : path
  return stats.ctimeMs / 1000 > started + 1 ? path : undefined
}
