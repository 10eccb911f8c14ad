// Issue 14 on a real systemd: `nextroot apply` on each rung (nothing, restarts, --max restart leaving a soft
// reboot pending), `needs-reboot` before and after each switch, real Ansible (ansible-core on this host, over
// SSH through a loopback forward) switching the guest into root B and then, with root C's other kernel
// staged, fully rebooting it; kured's loop (test/e2e/guest/kured-driver.sh, its source lines cited there)
// soft-rebooting for an in-place libc6 upgrade, then fully rebooting for a kernel; the metrics through
// the real promtool. Each switch must happen exactly once, and nothing may ask for a second one.
import {readFileSync} from 'node:fs'
import {cp, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {execa} from 'execa'
import {test} from 'uvu'
import * as assert from 'uvu/assert'

import type {ApplyResult} from '../../src/fleet/apply.js'
import {type PlayResult, runPlay, sshKeyPair} from './ansible.js'
import {mountDisk} from './disk-roots.js'
import {buildNrDemo} from './nr-demo.js'
import {repoRoot} from './paths.js'
import type {GuestRecord, RunResult} from './records.js'
import {scenario} from './scenario.js'
import {freePorts} from './serving.js'

const NR = '/usr/local/bin/nextroot'
const DRIVER = '/var/lib/kured-driver'
/** qemu's user network has fixed addresses and no DHCP client runs: configured after every full boot. */
/** qemu's user network has fixed addresses and no DHCP client runs: configured after every full boot, once
 * udev has named the NIC (early in a boot it is still eth0 and about to be renamed). Bounded. */
const NET_UP = [
  'udevadm settle',
  'for i in $(seq 30); do dev=$(ls /sys/class/net | grep -vx lo | head -1)',
  'ip link set "$dev" up 2> /dev/null && ip addr replace 10.0.2.15/24 dev "$dev" && break; sleep 1; done',
].join('; ')
const KURED_UNIT = [
  '[Unit]',
  'Description=kured stand-in (nextroot e2e)',
  'After=multi-user.target',
  'RequiresMountsFor=/e2e',
  '[Service]',
  'Type=exec',
  'Environment=KURED_PERIOD=5 MAX_PERIODS=2 KURED_WAIT=5',
  'ExecStart=/bin/bash /e2e/kured-driver.sh',
  'Restart=no',
  '[Install]',
  'WantedBy=multi-user.target',
].join('\\n')
const writeKuredUnit = (dir: string) =>
  `printf '${KURED_UNIT}\\n' > ${dir}/kured-driver.service && systemctl daemon-reload`
/** What an in-place libc6 upgrade leaves: its files new (dpkg's list rewritten), the flag apt's hook writes. */
const LIBC_UPGRADED =
  'touch /var/lib/dpkg/info/libc6:amd64.list && echo libc6 > /run/reboot-required.pkgs && touch /run/reboot-required'
const KERNEL_UPGRADED =
  'touch /var/lib/dpkg/info/linux-image-*.list && echo linux-image-amd64 > /run/reboot-required.pkgs && touch /run/reboot-required'
const waitFor = (file: string) =>
  `for i in $(seq 1500); do [ -e ${file} ] && break; sleep 1; done; cat ${file}`
const waitForDriver = (runs: number) =>
  `for i in $(seq 600); do [ "$(grep -c ' done: ' ${DRIVER}/log)" -ge ${runs} ] && break; sleep 1; done`
const soft = `${NR} needs-reboot; echo "soft $?"`
const sentinels = `${soft}; ${NR} needs-reboot --level full; echo "full $?"`
/** The timer `install --metrics` enables, started at once: the file it writes is what node_exporter reads. */
const METRICS_TIMER = `${NR} install --metrics > /dev/null && systemctl daemon-reload && systemctl start nextroot-metrics.service && cp /var/lib/prometheus/node-exporter/nextroot.prom /e2e/out/metrics-A.prom`

const STEPS = {
  setup: 0,
  none: 1,
  restart: 2,
  max: 3,
  ansibleSoft: 4,
  afterAnsibleSoft: 6,
  kuredSoft: 7,
  afterKuredSoft: 8,
  ansibleKernel: 9,
  afterAnsibleKernel: 11,
  kuredKernel: 12,
  end: 13,
}

const steps = [
  [
    'set -e',
    NET_UP,
    'install -d -m 700 /root/.ssh && install -m 600 /e2e/ssh/id_ed25519.pub /root/.ssh/authorized_keys',
    'systemctl restart ssh',
    'dpkg -i /e2e/pkgs/nr-demo_1.0_amd64.deb > /dev/null && systemctl start nr-demo',
    writeKuredUnit('/run/systemd/system'),
  ].join('; '),
  `${soft}; ${NR} apply --json > /e2e/out/apply-none.json; echo "apply $?"`,
  `dpkg -i /e2e/pkgs/nr-demo_2.0_amd64.deb > /dev/null && { ${NR} apply --json > /e2e/out/apply-restart.json; echo "apply $?"; busybox nc 127.0.0.1 7001 < /dev/null; }`,
  `dpkg -i /e2e/pkgs/nr-demo_3.0_amd64.deb > /dev/null && ${LIBC_UPGRADED} && { ${NR} apply --max restart --json > /e2e/out/apply-max.json; echo "apply $?"; busybox nc 127.0.0.1 7001 < /dev/null; ${sentinels}; ${METRICS_TIMER}; }`,
  // the host runs the play (twice) once this step has reported; the play switches into root B
  mountDisk('B'),
  waitFor('/e2e/ansible-soft.done'),
  `${waitFor('/e2e/ansible-soft.done')}; ${soft}; ${NR} apply; echo "apply $?"`,
  // kured: libc6 upgraded in place; its loop finds the sentinel set and runs apply, which soft-reboots
  `${LIBC_UPGRADED} && mkdir -p /run/systemd/system/multi-user.target.wants && ln -sf ../kured-driver.service /run/systemd/system/multi-user.target.wants/ && systemctl start kured-driver && sleep 900`,
  `${waitForDriver(1)}; rm /run/systemd/system/multi-user.target.wants/kured-driver.service; [ -s /root/.ssh/authorized_keys ] && echo 'carried /root kept'; cat ${DRIVER}/log; echo ===; cat ${DRIVER}/reboot-commands; ${soft}; echo libc6 > /run/reboot-required.pkgs && touch /run/reboot-required; ${NR} needs-reboot; echo "rewritten $?"; ${NR} metrics > /e2e/out/metrics-B.prom`,
  mountDisk('C'),
  waitFor('/e2e/ansible-kernel.done'),
  `${NET_UP}; ${waitFor('/e2e/ansible-kernel.done')}; ${soft}`,
  // kured again, for a kernel: apply does a full reboot; the driver starts again from /etc
  `${KERNEL_UPGRADED} && : > ${DRIVER}/reboot-commands && ${writeKuredUnit('/etc/systemd/system')} && systemctl enable --now kured-driver && sleep 900`,
  `${NET_UP}; ${waitForDriver(2)}; systemctl disable kured-driver; sed -n '/reboot required/,$p' ${DRIVER}/log | tail -40; echo ===; cat ${DRIVER}/reboot-commands; ${soft}; ${NR} metrics > /e2e/out/metrics-end.prom; ${NR} history --json > /e2e/out/history.json`,
]

const [sshPort] = await freePorts(1)
let share = ''
let privateKey = ''
const plays: Record<string, PlayResult> = {}
const playing: Promise<void>[] = []

/** Runs the role from this host against the guest, as many times as asked, then tells the guest. */
function playAgainst(image: string, runs: string[], done: string): void {
  const play = async () => {
    for (const name of runs) {
      plays[name] = await runPlay({
        port: sshPort,
        privateKey,
        dir: join(share, 'ansible'),
        extraVars: {nextroot_bin: NR, nextroot_image: image},
        timeoutMs: 1_200_000,
        log: (line) => console.log(`  [${name}] ${line}`),
      })
    }
    await writeFile(join(share, done), runs.map((name) => `${name}: ${plays[name].recap}`).join('\n') + '\n')
  }
  playing.push(play())
}

function onRecord(record: GuestRecord): void {
  if (record.event !== 'result') return
  if (record.i === STEPS.ansibleSoft) playAgainst('/mnt/rootB', ['soft', 'again'], 'ansible-soft.done')
  if (record.i === STEPS.ansibleKernel) playAgainst('/mnt/rootC', ['kernel'], 'ansible-kernel.done')
}

async function prepare(dir: string): Promise<void> {
  share = dir
  privateKey = (await sshKeyPair(join(dir, 'ssh'))).privateKey
  await buildNrDemo(join(dir, 'pkgs'), ['1.0', '2.0', '3.0'])
  await cp(join(repoRoot, 'test/e2e/guest/kured-driver.sh'), join(dir, 'kured-driver.sh'))
}

const output = (run: RunResult, step: number) => run.results.find((r) => r.i === step)?.output ?? ''
const exitOf = (text: string, label: string) => Number(new RegExp(`^${label} (\\d+)$`, 'm').exec(text)?.[1])
const shared = <T>(run: RunResult, name: string): T =>
  (JSON.parse(readFileSync(join(run.dir, 'share/out', name), 'utf8')) as {result: T}).result

function assertRungs(run: RunResult): void {
  const none = output(run, STEPS.none)
  assert.equal([exitOf(none, 'soft'), exitOf(none, 'apply')], [1, 0])
  assert.equal(shared<ApplyResult>(run, 'apply-none.json').does, 'none')
  const restarted = shared<ApplyResult>(run, 'apply-restart.json')
  assert.equal([restarted.does, exitOf(output(run, STEPS.restart), 'apply')], ['restart-units', 0])
  assert.match(output(run, STEPS.restart), /2\.0/, 'nr-demo was restarted onto 2.0')
  const max = output(run, STEPS.max)
  const capped = shared<ApplyResult>(run, 'apply-max.json')
  assert.equal([capped.planned, capped.does, capped.leaves], ['soft-reboot', 'restart-units', 'soft-reboot'])
  assert.equal([exitOf(max, 'apply'), exitOf(max, 'soft'), exitOf(max, 'full')], [23, 0, 1])
  assert.match(max, /3\.0/, 'the restart under --max restart ran')
}

function assertAnsible(run: RunResult): void {
  const [soft, again, kernel] = [plays.soft, plays.again, plays.kernel]
  console.log(`ansible recaps:\n  soft:   ${soft.recap}\n  again:  ${again.recap}\n  kernel: ${kernel.recap}`)
  for (const play of [soft, again, kernel])
    assert.equal([play.exitCode, play.failed, play.unreachable], [0, 0, 0])
  assert.ok(soft.changed > 0, 'the first play changed the guest')
  assert.is(again.changed, 0, 'a second play changes nothing')
  assert.ok(kernel.changed > 0)
  const [a, b] = run.boots
  assert.equal([b.root, b.bootId, b.softReboots], ['B', a.bootId, 1], 'root B, same boot ID, a soft reboot')
  const after = output(run, STEPS.afterAnsibleSoft)
  assert.equal([exitOf(after, 'soft'), exitOf(after, 'apply')], [1, 0])
  assert.match(after, /Nothing to do/)
  const full = run.boots[3]
  assert.not.equal(full.bootId, a.bootId, 'the kernel case was a full reboot')
  assert.is(exitOf(output(run, STEPS.afterAnsibleKernel), 'soft'), 1)
}

function assertKured(run: RunResult): void {
  const soft = output(run, STEPS.afterKuredSoft)
  console.log(`kured driver log (soft reboot):\n${soft.split('===')[0]}`)
  const [before, after] = [run.boots[1], run.boots[2]]
  assert.equal(
    [after.root, after.bootId, after.softReboots],
    ['B', before.bootId, 2],
    'kured: one soft reboot',
  )
  assert.is(
    soft
      .split('===')[1]
      .trim()
      .split('\n')
      .filter((l) => /reboot-command|nextroot/.test(l)).length,
    1,
  )
  assert.match(
    soft,
    /lock released[\s\S]*sentinel exit=1[\s\S]* done: /,
    'released, re-checked, no second reboot',
  )
  assert.equal([exitOf(soft, 'soft'), exitOf(soft, 'rewritten')], [1, 1], 'a flag rewritten after the switch')
  assert.match(soft, /carried \/root kept/, 'the second soft reboot kept the carried directories mounted')
  const kernel = output(run, STEPS.end)
  console.log(`kured driver log (kernel):\n${kernel.split('===')[0]}`)
  assert.equal(
    run.switches.map((s) => s.kind),
    ['soft-reboot', 'soft-reboot', 'reboot', 'reboot'],
  )
  assert.not.equal(run.boots[4].bootId, run.boots[3].bootId)
  const commands = kernel
    .split('===')[1]
    .split('\n')
    .filter((line) => line.includes('nextroot apply'))
  assert.is(commands.length, 1, 'one reboot command')
  assert.is(exitOf(kernel, 'soft'), 1)
}

async function assertMetrics(run: RunResult): Promise<void> {
  for (const name of ['metrics-A.prom', 'metrics-B.prom', 'metrics-end.prom']) {
    const text = readFileSync(join(run.dir, 'share/out', name), 'utf8')
    const checked = await execa('promtool', ['check', 'metrics'], {input: text, reject: false})
    assert.is(checked.exitCode, 0, `${name}: ${checked.stdout}${checked.stderr}`)
  }
  const a = readFileSync(join(run.dir, 'share/out/metrics-A.prom'), 'utf8')
  assert.match(a, /^nextroot_pending\{step="soft-reboot"\} 1$/m)
  const b = readFileSync(join(run.dir, 'share/out/metrics-B.prom'), 'utf8')
  assert.match(b, /^nextroot_soft_reboots_total 2$/m)
  assert.match(b, /^nextroot_last_switch_info\{outcome="healthy",kind="soft-reboot",.*\} 1$/m)
  assert.match(b, /^nextroot_pending\{step="soft-reboot"\} 0$/m)
}

scenario(
  test,
  'fleet: apply on each rung, needs-reboot, a real Ansible play, the kured loop and the metrics',
  {id: 'fleet', steps, timeoutS: 2400, prepare, forwards: [{host: sshPort, guest: 22}], onRecord},
  async (run) => {
    await Promise.all(playing)
    assertRungs(run)
    assertAnsible(run)
    assertKured(run)
    await assertMetrics(run)
  },
)

test.run()
