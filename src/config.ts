// nextroot's own settings: /etc/nextroot/nextroot.conf under the running root (KEY=VALUE lines, '#' comments,
// lists separated by spaces). Every key is optional; an unknown key or a bad value is an error, never ignored.
import {readFile} from 'node:fs/promises'
import {join} from 'node:path'

import {NextrootError, errnoCode} from './errors.js'

export const CONFIG_PATH = 'etc/nextroot/nextroot.conf'

export type OnUnhealthy = 'reboot' | 'stay'

export interface Config {
  /** Directories of the machine shared into the staged root (bind-mounted, never copied). */
  carryDirs: string[]
  /** Files of the machine copied into the staged root's /etc; a trailing '*' matches a name prefix. */
  carryFiles: string[]
  /** Merge passwd, group, shadow and gshadow so neither the image's system users nor local users are lost. */
  mergeUsers: boolean
  /** Seconds the new userspace has to reach a healthy state after the switch. */
  healthTimeoutS: number
  /** What to do when it does not: a full reboot (back to what the boot loader boots), or stay and report. */
  onUnhealthy: OnUnhealthy
  /** Units `nextroot restart` never restarts live, beyond its built-in list (globs: `*` and `?`). */
  restartNever: string[]
  /** Entries of the built-in never-restart list to restart after all (globs matched against the units). */
  restartAllow: string[]
  /** Seconds each user manager has, from connecting to its last job (systemd's helper uses 15). */
  userTimeoutS: number
}

export const DEFAULT_CONFIG: Config = {
  carryDirs: ['/var', '/home', '/root', '/srv'],
  carryFiles: [
    '/etc/machine-id',
    '/etc/hostname',
    '/etc/fstab',
    '/etc/ssh/ssh_host_*',
    '/etc/nextroot/nextroot.conf',
  ],
  mergeUsers: true,
  healthTimeoutS: 300,
  onUnhealthy: 'reboot',
  restartNever: [],
  restartAllow: [],
  userTimeoutS: 15,
}

function invalid(line: number, message: string): NextrootError {
  return new NextrootError('NR_BAD_CONFIG', `/${CONFIG_PATH}, line ${line}: ${message}`, {
    hints: ['See "Configuration" in the README for the keys and their values.'],
  })
}

function paths(value: string, line: number): string[] {
  const list = value.split(/\s+/).filter(Boolean)
  const relative = list.find((path) => !path.startsWith('/') || path.split('/').includes('..'))
  if (relative !== undefined) throw invalid(line, `'${relative}' is not an absolute path without '..'.`)
  return list
}

function globs(value: string, line: number): string[] {
  const list = value.split(/\s+/).filter(Boolean)
  const bad = list.find((glob) => !/^[\w@.:*?\\-]+$/.test(glob))
  if (bad !== undefined) throw invalid(line, `'${bad}' is not a unit name or a glob of unit names.`)
  return list
}

function seconds(key: string, value: string, line: number): number {
  if (!/^\d+$/.test(value) || Number(value) === 0)
    throw invalid(line, `${key} is a number of seconds, not '${value}'.`)
  return Number(value)
}

const KEYS: Record<string, (config: Config, value: string, line: number) => void> = {
  CARRY_DIRS: (config, value, line) => (config.carryDirs = paths(value, line)),
  CARRY_FILES: (config, value, line) => (config.carryFiles = paths(value, line)),
  MERGE_USERS: (config, value, line) => {
    if (!['yes', 'no'].includes(value)) throw invalid(line, `MERGE_USERS is yes or no, not '${value}'.`)
    config.mergeUsers = value === 'yes'
  },
  HEALTH_TIMEOUT: (config, value, line) => (config.healthTimeoutS = seconds('HEALTH_TIMEOUT', value, line)),
  RESTART_NEVER: (config, value, line) => (config.restartNever = globs(value, line)),
  RESTART_ALLOW: (config, value, line) => (config.restartAllow = globs(value, line)),
  RESTART_USER_TIMEOUT: (config, value, line) =>
    (config.userTimeoutS = seconds('RESTART_USER_TIMEOUT', value, line)),
  ON_UNHEALTHY: (config, value, line) => {
    if (value !== 'reboot' && value !== 'stay')
      throw invalid(line, `ON_UNHEALTHY is reboot or stay, not '${value}'.`)
    config.onUnhealthy = value
  },
}

export function parseConfig(text: string): Config {
  const config: Config = structuredClone(DEFAULT_CONFIG)
  text.split('\n').forEach((raw, index) => {
    const line = raw.replace(/#.*$/, '').trim()
    if (!line) return
    const match = /^([A-Z_]+)\s*=\s*(.*)$/.exec(line)
    if (!match) throw invalid(index + 1, `expected KEY=VALUE, got '${line}'.`)
    const apply = KEYS[match[1]]
    if (!apply) throw invalid(index + 1, `unknown key ${match[1]} (known: ${Object.keys(KEYS).join(', ')}).`)
    apply(config, match[2].replace(/^(["'])(.*)\1$/, '$2').trim(), index + 1)
  })
  return config
}

/** The configuration of the running root at `hostRoot`; the defaults when it has no nextroot.conf. */
export async function readConfig(hostRoot: string): Promise<Config> {
  try {
    return parseConfig(await readFile(join(hostRoot, CONFIG_PATH), 'utf8'))
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return structuredClone(DEFAULT_CONFIG)
    throw error
  }
}
