// Two web services in the guest that show what a switch costs the people using them, and the host side that
// polls both through it: a survivor configured the right way (systemd-soft-reboot.service(8)'s advice, its
// own root on a tmpfs the switch keeps, so it pins nothing of the old root) and an ordinary service that the
// soft reboot stops and the new userspace starts again. qemu forwards their ports to 127.0.0.1 on the host.
import {createServer} from 'node:net'
import {type PollReport, type Poller, startPolling} from './poller.js'
import type {GuestRecord} from './records.js'
import type {Forward} from './run.js'
import {survivorUnit, tmpfsMountUnit} from './survivor-unit.js'

export const WEB = {
  survivor: {unit: 'web-survivor.service', port: 8080},
  ordinary: {unit: 'web-ordinary.service', port: 8081},
}
const ROOT = '/run/webroot'
const ROOT_MOUNT = 'run-webroot.mount'
const ORDINARY_DOCS = '/run/web-ordinary'

const FILES: Record<string, string[]> = {
  [`/run/systemd/system/${ROOT_MOUNT}`]: tmpfsMountUnit(
    'nextroot demo: tmpfs holding the web survivor root',
    ROOT,
  ),
  [`/run/systemd/system/${WEB.survivor.unit}`]: survivorUnit(
    'nextroot demo: web survivor, serving through soft reboots',
    [`RootDirectory=${ROOT}`, `ExecStart=/bin/busybox httpd -f -p ${WEB.survivor.port} -h /www`],
    [`RequiresMountsFor=${ROOT}`],
  ),
  [`/run/systemd/system/${WEB.ordinary.unit}`]: [
    '[Unit]',
    'Description=nextroot demo: ordinary web service, stopped and started by a switch',
    '[Service]',
    `ExecStartPre=/bin/sh -c 'mkdir -p ${ORDINARY_DOCS} && echo "ordinary, root $$(cat /etc/nextroot-marker)" > ${ORDINARY_DOCS}/index.html'`,
    `ExecStart=/bin/busybox httpd -f -p ${WEB.ordinary.port} -h ${ORDINARY_DOCS}`,
    '[Install]',
    'WantedBy=multi-user.target',
  ],
}

const SCRIPT = [
  'set -eu',
  // qemu's user network: the guest's address is fixed (10.0.2.15), so no DHCP client is needed.
  'for i in $(seq 60); do dev=$(ls /sys/class/net | grep -vx lo | head -1); [ -n "$dev" ] && break; sleep 1; done',
  'ip link set "$dev" up && ip addr add 10.0.2.15/24 dev "$dev"',
  'mkdir -p /run/systemd/system',
  ...Object.entries(FILES).map(([path, lines]) => `cat > '${path}' << 'UNIT'\n${lines.join('\n')}\nUNIT`),
  'systemctl daemon-reload',
  `systemctl start ${ROOT_MOUNT}`,
  `mkdir -p ${ROOT}/bin ${ROOT}/www ${ROOT}/proc ${ROOT}/dev ${ROOT}/tmp`,
  `cp /usr/bin/busybox ${ROOT}/bin/busybox`,
  `echo "survivor, started in root $(cat /etc/nextroot-marker)" > ${ROOT}/www/index.html`,
  `systemctl enable --runtime --now ${WEB.ordinary.unit}`,
  `systemctl start ${WEB.survivor.unit}`,
  // Type=simple units are "started" once forked: wait (bounded) until both listen, so polling starts clean.
  ...Object.values(WEB).map(
    ({port}) =>
      `for i in $(seq 60); do busybox wget -qO /dev/null http://127.0.0.1:${port}/ 2> /dev/null && break; sleep 0.5; done`,
  ),
].join('\n')

/** One guest step that brings the network up and starts both services (base64: steps are single lines). */
export const servingSetup = `echo ${Buffer.from(SCRIPT).toString('base64')} | base64 -d | bash`

/** A guest step that waits (bounded) until the ordinary service answers from root `root` again. */
export const awaitOrdinaryFrom = (root: string) =>
  `for i in $(seq 300); do busybox wget -qO- http://127.0.0.1:${WEB.ordinary.port}/ 2> /dev/null | grep -q 'root ${root}' && break; sleep 1; done`

/** Two free TCP ports on 127.0.0.1 for the forwards (the kernel picks them; nothing else is ever a target). */
export async function freePorts(count: number): Promise<number[]> {
  const ports: number[] = []
  for (let i = 0; i < count; i++) {
    ports.push(
      await new Promise<number>((resolve, reject) => {
        const server = createServer().listen(0, '127.0.0.1', () => {
          const address = server.address()
          server.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
        })
        server.on('error', reject)
      }),
    )
  }
  return ports
}

export interface ServingReport {
  survivor: PollReport
  ordinary: PollReport
}

export interface ServingWatch {
  forwards: Forward[]
  /** For runGuest's onRecord: polls from the result of step `from` to the result of step `to`. */
  onRecord: (record: GuestRecord) => void
  /** The two reports, once polling stopped (or the run ended without reaching step `to`). */
  report: () => Promise<ServingReport | undefined>
}

/** Four requests a second, 5 s to answer each; a poller never runs longer than 15 minutes by itself. */
const POLLING = {intervalMs: 250, timeoutMs: 5000, maxMs: 900_000, maxRequests: 4000}

/** Host ports for both services, and pollers that run between two steps' results. */
export async function watchServing(from: number, to: number): Promise<ServingWatch> {
  const [survivorPort, ordinaryPort] = await freePorts(2)
  let pollers: {survivor: Poller; ordinary: Poller} | undefined
  let stopped: Promise<ServingReport> | undefined
  const stop = () => {
    if (!pollers) return undefined
    const {survivor, ordinary} = pollers
    stopped ??= Promise.all([survivor.stop(), ordinary.stop()]).then(([s, o]) => ({survivor: s, ordinary: o}))
    return stopped
  }
  return {
    forwards: [
      {host: survivorPort, guest: WEB.survivor.port},
      {host: ordinaryPort, guest: WEB.ordinary.port},
    ],
    onRecord(record) {
      if (record.event !== 'result') return
      if (record.i === from && record.rc === 0 && !pollers)
        pollers = {
          survivor: startPolling(survivorPort, POLLING),
          ordinary: startPolling(ordinaryPort, POLLING),
        }
      if (record.i === to) void stop()
    },
    report: async () => stop(),
  }
}

/** "N requests, N failed, longest gap N ms" for one service. */
export function describePolls(report: PollReport): string {
  const outage = report.outageMs > 0 ? `, down ${report.outageMs} ms` : ''
  const when = report.failedAtMs.length > 0 ? ` (at ${report.failedAtMs.slice(0, 3).join(', ')} ms)` : ''
  return `${report.requests} requests, ${report.failures} failed${when}${outage}, longest gap ${report.longestGapMs} ms`
}
