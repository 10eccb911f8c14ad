// Reads the value formats `systemctl show` prints for the unit properties nextroot judges (pure functions).
import type {UnitProperties} from './units.js'

/** A path setting of a unit: where it comes from and whether systemd ignores it when missing ('-' prefix). */
export interface PathSetting {
  setting: string
  path: string
  optional: boolean
}

/**
 * Splits a list value into words as systemctl prints them: separated by spaces, a word with special characters
 * double-quoted with backslash escapes (`"run-x\\x2dy.mount"` is the unit run-x\x2dy.mount).
 */
export function splitWords(value: string): string[] {
  const words: string[] = []
  for (const match of value.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)) {
    words.push(match[1] === undefined ? match[2] : match[1].replace(/\\(.)/g, '$1'))
  }

  return words
}

function words(unit: UnitProperties, key: string): string[] {
  return (unit[key] ?? []).flatMap(splitWords)
}

function optionalPath(setting: string, raw: string): PathSetting {
  const optional = raw.startsWith('-')
  return {setting, path: optional ? raw.slice(1) : raw, optional}
}

/** Unit names of a dependency property (Requires=, Conflicts=, ...). */
export function unitList(unit: UnitProperties, key: string): string[] {
  return words(unit, key)
}

/** The unit's file and drop-ins, as systemd loaded them. */
export function unitFilePaths(unit: UnitProperties): string[] {
  return [unit.FragmentPath?.[0] ?? '', ...words(unit, 'DropInPaths')].filter(Boolean)
}

export function isYes(unit: UnitProperties, key: string): boolean {
  return unit[key]?.[0] === 'yes'
}

/** BindPaths= / BindReadOnlyPaths=: "-SOURCE:DEST:rbind" entries; the source is what the unit holds. */
export function bindSources(unit: UnitProperties, key: 'BindPaths' | 'BindReadOnlyPaths'): PathSetting[] {
  return words(unit, key).map((entry) => optionalPath(key, entry.split(':')[0]))
}

/** ExtensionImages= ("-SOURCE:PARTITION:OPTIONS") and ExtensionDirectories= (plain paths). */
export function extensionSources(unit: UnitProperties): PathSetting[] {
  return [
    ...words(unit, 'ExtensionImages').map((entry) => optionalPath('ExtensionImages', entry.split(':')[0])),
    ...words(unit, 'ExtensionDirectories').map((path) => optionalPath('ExtensionDirectories', path)),
  ]
}

/** The binaries of ExecStart= ("{ path=/usr/bin/x ; argv[]=... ; ... }", one line per command). */
export function execPaths(unit: UnitProperties, key = 'ExecStart'): PathSetting[] {
  return (unit[key] ?? [])
    .map((value) => /path=([^ ;]+)/.exec(value)?.[1])
    .filter((path): path is string => path !== undefined)
    .map((path) => ({setting: key, path, optional: false}))
}

/** EnvironmentFiles= ("PATH (ignore_errors=yes)", one line per file). */
export function environmentFiles(unit: UnitProperties): PathSetting[] {
  return (unit.EnvironmentFiles ?? []).map((value) => {
    const match = /^(.*) \(ignore_errors=(yes|no)\)$/.exec(value)
    return {setting: 'EnvironmentFile', path: match ? match[1] : value, optional: match?.[2] === 'yes'}
  })
}

/** WorkingDirectory= ('!' or '-' marks "may be missing", '~' is the user's home: not a fixed path). */
export function workingDirectory(unit: UnitProperties): PathSetting | undefined {
  const raw = unit.WorkingDirectory?.[0] ?? ''
  const optional = /^[!-]/.test(raw)
  const path = optional ? raw.slice(1) : raw
  return path.startsWith('/') ? {setting: 'WorkingDirectory', path, optional} : undefined
}

/** RootDirectory= and RootImage=, when set. */
export function rootSettings(unit: UnitProperties): PathSetting[] {
  return (['RootDirectory', 'RootImage'] as const)
    .filter((key) => (unit[key]?.[0] ?? '') !== '')
    .map((key) => ({setting: key, path: unit[key][0], optional: false}))
}
