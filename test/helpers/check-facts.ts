// Builds `check` facts from systemd output recorded in the e2e guest, so the pure rules can be replayed.
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import type {CheckFacts} from '../../src/check/facts.js'
import {type ProcessFacts, mappedFiles} from '../../src/check/processes.js'
import {unitOfCgroup} from '../../src/host/proc.js'
import {parseUnitFile} from '../../src/systemd/unit-file.js'
import {deviceName} from '../../src/host/devices.js'
import {type MountEntry, parseMountInfo} from '../../src/host/mounts.js'
import type {StagedRecord} from '../../src/state/record.js'
import {parseShow, prop, type UnitProperties} from '../../src/systemd/units.js'
import {REPO} from './cli.js'

export const FIXTURES = join(REPO, 'test/fixtures/systemd')

export function fixture(name: string): string {
  return readFileSync(join(FIXTURES, name), 'utf8')
}

export function unitsFrom(showText: string): Record<string, UnitProperties> {
  return Object.fromEntries(parseShow(showText).map((record) => [prop(record, 'Id'), record]))
}

export const KERNEL = '6.12.57+deb13-amd64'
export const OLD_ROOT = {path: '/', device: '254:0', source: '/dev/vda', fsType: 'ext4', usedBytes: 734003200}

export const STAGED: StagedRecord = {
  id: '20261122T070000-abcdef',
  kind: 'archive',
  source: '/images/rootB.tar',
  verified: false,
  verification: 'none',
  osRelease: {PRETTY_NAME: 'root B'},
  kernel: {running: KERNEL, modulesPresent: true, available: [KERNEL]},
  tree: '/var/lib/nextroot/store/20261122T070000-abcdef/tree',
  stagedAt: '2026-11-22T07:00:00.000Z',
  durationMs: 1000,
  bootId: 'b00t',
}

/** A running systemd 257 that can soft-reboot, before any soft reboot. */
export const SYSTEMD_257 = {
  running: true,
  version: 257,
  softRebootSupported: true,
  autoSoftReboot: true,
  softRebootsCount: 0,
}

/** Facts of a healthy system with a staged root, the units of `showText`, and `overrides` on top. */
export function factsFrom(showText: string, overrides: Partial<CheckFacts> = {}): CheckFacts {
  return {
    systemd: {
      running: true,
      version: 257,
      versionText: 'systemd 257 (257.9-1~deb13u1)',
      softRebootSupported: true,
      autoSoftReboot: true,
    },
    runSpace: {path: '/run/systemd', sizeBytes: 160 << 20, freeBytes: 150 << 20, usedBytes: 10 << 20},
    staged: STAGED,
    stateReadable: true,
    staging: {state: 'staged'},
    nextroot: {
      path: STAGED.tree as string,
      ours: true,
      isRunningRoot: false,
      tree: {
        osRelease: {PRETTY_NAME: 'root B'},
        init: {present: true},
        kernelModules: [KERNEL],
        rootId: '9:9',
      },
    },
    kernel: {running: KERNEL, loadedModules: ['ext4', 'virtio_blk']},
    units: unitsFrom(showText),
    unitFiles: {},
    oldRoot: [OLD_ROOT],
    paths: [],
    processes: [],
    trees: {
      current: {root: '/', defaultTarget: 'graphical.target', present: [], masked: [], started: []},
      staged: {
        root: '/run/nextroot',
        defaultTarget: 'graphical.target',
        present: [],
        masked: [],
        started: [],
      },
    },
    ...overrides,
  }
}

export function unitFileFacts(unit: string, text: string): CheckFacts['unitFiles'] {
  return {[unit]: parseUnitFile(text)}
}

/** "UNIT CODE" of each finding (UNIT is '-' for system findings), sorted, for exact comparisons. */
export function codesOf(findings: Array<{unit?: string; code: string}>, unit?: string): string[] {
  return findings
    .filter((f) => unit === undefined || f.unit === unit)
    .map((f) => `${f.unit ?? '-'} ${f.code}`)
    .sort()
}

/** A survivor's /proc as the fixture recorder saved it ("== exe DEV PATH", maps, mountinfo, cgroup). */
export function processFrom(text: string, pid: number, comm: string, ownNamespace: boolean): ProcessFacts {
  const section = (name: string) => text.split(`== ${name}`)[1]?.split('\n== ')[0] ?? ''
  const [, hexDevice = '0', exe = ''] = /^== exe (\S+) (\S+)/m.exec(text) ?? []
  return {
    pid,
    comm,
    argv0: exe,
    unit: unitOfCgroup(section('cgroup')),
    held: [
      {via: 'exe', path: exe, device: deviceName(BigInt(`0x${hexDevice}`))},
      ...mappedFiles(section('maps')),
    ],
    ownMounts: ownNamespace ? parseMountInfo(section('mountinfo')) : undefined,
    denied: [],
  }
}

/** The device of `path` by the longest mount point above it in a recorded mount table. */
export function deviceByMounts(path: string, mounts: MountEntry[]): string | undefined {
  return mounts
    .filter((m) => path === m.mountPoint || path.startsWith(m.mountPoint === '/' ? '/' : `${m.mountPoint}/`))
    .sort((a, b) => a.mountPoint.length - b.mountPoint.length)
    .at(-1)?.majorMinor
}
