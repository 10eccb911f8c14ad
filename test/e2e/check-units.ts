// The units `nextroot check` is tried on in the guest (issue 4): (a) a correct survivor, (b) one with
// SurviveFinalKillSignal= under [Service], (c) a survivor with BindPaths= from the root file system, (d) a
// survivor with RootDirectory= on its own tmpfs (the guest has no portablectl), (e) a running service root B
// does not ship. One guest step writes and starts them all.
import {SURVIVOR_ORDERING, survivorUnit, tmpfsMountUnit} from './survivor-unit.js'

/** A tmpfs of its own for RootDirectory= trees: /run is noexec, and a separate file system pins nothing. */
export const SURVIVOR_ROOT = '/run/e2e-survivor-root'
export const SURVIVOR_ROOT_MOUNT = 'run-e2e\\x2dsurvivor\\x2droot.mount'
export const BIND_SOURCE = '/var/lib/e2e-bind'

export const UNITS = {
  survivor: 'e2e-survivor.service',
  misplaced: 'e2e-misplaced.service',
  bind: 'e2e-bind.service',
  rootdir: 'e2e-rootdir.service',
  gone: 'e2e-gone.service',
}

/** The findings `nextroot check` must report for each unit, exactly (codes, sorted). */
export const EXPECTED: Record<string, string[]> = {
  [UNITS.survivor]: ['PINS_OLD_ROOT', 'SURVIVOR'],
  [UNITS.misplaced]: ['SERVICE_NOT_RESTARTED', 'SURVIVOR_SECTION'],
  [UNITS.bind]: ['PINS_OLD_ROOT', 'SURVIVOR'],
  [UNITS.rootdir]: ['SURVIVOR'],
  [UNITS.gone]: ['SERVICE_MISSING_IN_NEW_ROOT'],
}

export const FILES: Record<string, string[]> = {
  [`/run/systemd/system/${SURVIVOR_ROOT_MOUNT}`]: tmpfsMountUnit(
    'nextroot e2e: tmpfs for RootDirectory= survivors',
    SURVIVOR_ROOT,
  ),
  [`/run/systemd/system/${UNITS.survivor}`]: survivorUnit('nextroot e2e (a): survivor', [
    'ExecStart=/usr/bin/sleep infinity',
  ]),
  [`/run/systemd/system/${UNITS.misplaced}`]: [
    '[Unit]',
    'Description=nextroot e2e (b): SurviveFinalKillSignal= in the wrong section',
    ...SURVIVOR_ORDERING,
    '[Service]',
    'SurviveFinalKillSignal=yes',
    'ExecStart=/usr/bin/sleep infinity',
  ],
  [`/run/systemd/system/${UNITS.bind}`]: survivorUnit(
    'nextroot e2e (c): survivor with BindPaths= from the root file system',
    [
      `RootDirectory=${SURVIVOR_ROOT}`,
      `BindPaths=${BIND_SOURCE}:/data`,
      'ExecStart=/bin/busybox sleep 999999',
    ],
    [`RequiresMountsFor=${SURVIVOR_ROOT}`],
  ),
  [`/run/systemd/system/${UNITS.rootdir}`]: survivorUnit(
    'nextroot e2e (d): survivor with RootDirectory= on another file system',
    [`RootDirectory=${SURVIVOR_ROOT}`, 'ExecStart=/bin/busybox sleep 999999'],
    [`RequiresMountsFor=${SURVIVOR_ROOT}`],
  ),
  [`/etc/systemd/system/${UNITS.gone}`]: [
    '[Unit]',
    'Description=nextroot e2e (e): running, but not in root B',
    '[Service]',
    'ExecStart=/usr/bin/sleep infinity',
  ],
}

const SCRIPT = [
  'set -eu',
  'mkdir -p /run/systemd/system',
  ...Object.entries(FILES).map(([path, lines]) => `cat > '${path}' << 'UNIT'\n${lines.join('\n')}\nUNIT`),
  'systemctl daemon-reload',
  `systemctl start '${SURVIVOR_ROOT_MOUNT}'`,
  `mkdir -p ${SURVIVOR_ROOT}/bin ${SURVIVOR_ROOT}/data ${SURVIVOR_ROOT}/proc ${SURVIVOR_ROOT}/dev ${SURVIVOR_ROOT}/tmp`,
  `cp /usr/bin/busybox ${SURVIVOR_ROOT}/bin/busybox`,
  `mkdir -p ${BIND_SOURCE} && echo 'from the old root' > ${BIND_SOURCE}/hello`,
  `systemctl start ${Object.values(UNITS).join(' ')}`,
  `systemctl show --property=Id,ActiveState,MainPID ${Object.values(UNITS).join(' ')}`,
].join('\n')

/** One guest step that writes the units and starts them (base64, since steps are single lines). */
export const setupStep = `echo ${Buffer.from(SCRIPT).toString('base64')} | base64 -d | bash`

/** A guest step printing "UNIT MAINPID ACTIVESTATE" for each unit. */
export const pidsStep = `for u in ${Object.values(UNITS).join(' ')}; do echo "$u $(systemctl show -P MainPID $u) $(systemctl show -P ActiveState $u)"; done`

export function parsePids(output: string): Record<string, {pid: number; state: string}> {
  return Object.fromEntries(
    output
      .split('\n')
      .map((line) => line.trim().split(' '))
      .filter((fields) => fields.length === 3)
      .map(([unit, pid, state]) => [unit, {pid: Number(pid), state}]),
  )
}
