// Issue 5 on a real systemd: `nextroot reboot` carries root A's machine into root B and switches, the new
// userspace checks and records it; a broken root falls back to a full reboot; a root with another kernel makes
// `plan` say reboot, and `reboot --full` really reboots although it is staged; a /usr-only image switches the
// running root to the staged /usr, on a schedule given with --when=. Roots are staged from their
// disks, mounted and staged as directories: seconds, not the minutes of unpacking an archive under TCG.
import {readFileSync} from 'node:fs'
import path from 'node:path'

import {test} from 'uvu'
import * as assert from 'uvu/assert'

import {stageDisk} from './disk-roots.js'
import type {RunResult} from './records.js'
import {scenario} from './scenario.js'
import {WEB, awaitOrdinaryFrom, describePolls, servingSetup, watchServing} from './serving.js'
import {survivorUnit} from './survivor-unit.js'

/** A survivor that must keep its PID, written with printf: its lines joined by a literal \\n. */
const SURVIVOR = survivorUnit('nextroot e2e: carried survivor', ['ExecStart=/usr/bin/sleep infinity']).join(
  '\\n',
)

/** Root A becomes a machine of its own: an identity, a local user, data, and a survivor. */
const SETUP = [
  'set -e',
  "echo 'alice:x:1500:1500:Alice:/home/alice:/bin/bash' >> /etc/passwd",
  "echo 'alice:x:1500:' >> /etc/group",
  "echo 'alice:$y$j9T$made-on-A:20000:0:99999:7:::' >> /etc/shadow",
  "echo 'alice:!::' >> /etc/gshadow",
  'mkdir -p /home/alice /var/lib/e2e-data && echo written-on-A > /var/lib/e2e-data/file',
  'echo nextroot-guest-a > /etc/hostname',
  'systemd-id128 new > /etc/machine-id',
  'mkdir -p /etc/ssh && echo host-key-of-A > /etc/ssh/ssh_host_ed25519_key && chmod 600 /etc/ssh/ssh_host_ed25519_key',
  `printf '${SURVIVOR}\\n' > /run/systemd/system/e2e-carry-survivor.service`,
  'systemctl daemon-reload && systemctl start e2e-carry-survivor.service',
  // A package manager upgraded glibc in place: the flags kured and similar tools watch, kept by /run.
  'touch /run/reboot-required && echo libc6 > /run/reboot-required.pkgs',
].join('; ')

/** What must be the same after the switch, as one JSON object. */
const FACTS = `jq -n \
  --arg machineId "$(cat /etc/machine-id)" \
  --arg hostname "$(cat /etc/hostname)" \
  --arg sshKey "$(cat /etc/ssh/ssh_host_ed25519_key)" \
  --arg user "$(id alice)" \
  --arg shadow "$(getent shadow alice | cut -d: -f1-2)" \
  --arg data "$(cat /var/lib/e2e-data/file)" \
  --arg survivorPid "$(systemctl show -P MainPID e2e-carry-survivor.service)" \
  '$ARGS.named'`

/** The reboot step: its output is kept in the share, since the switch kills it before it can report. */
const reboot = (args: string, name: string) =>
  `nextroot reboot ${args} --json > /e2e/out/${name}.json && sleep 900`

/** Waits in the new userspace until nextroot-after-switch.service has recorded the switch. */
const historyIn = (stateDir: string) =>
  `for i in $(seq 600); do [ -e ${stateDir}/switch.json ] || break; sleep 1; done; nextroot history --json --state-dir ${stateDir}`
const HISTORY = historyIn('/var/lib/nextroot')

function shared(run: RunResult, name: string): {ok: boolean; result: Record<string, unknown>} {
  return JSON.parse(readFileSync(path.join(run.dir, 'share/out', `${name}.json`), 'utf8'))
}

const output = (run: RunResult, step: number) => run.results.find((r) => r.i === step)?.output ?? ''

interface HistoryEntry {
  outcome: string
  problems: string[]
  clearedFlags: string[]
  to: string
  durations: {
    fromCommandMs?: number
    fromTriggerMs?: number
    switchMs?: number
    units: Record<string, number>
  }
}

/** Both web services are polled from the host from the end of the set-up (step 0) until the history step. */
const serving = await watchServing(0, 5)

const entries = (text: string) => (JSON.parse(text) as {result: {entries: HistoryEntry[]}}).result.entries

scenario(
  test,
  'reboot carries machine A into root B, switches, and records a healthy switch',
  {
    id: 'nextroot-reboot',
    steps: [
      `${SETUP}; ${servingSetup}`,
      FACTS,
      stageDisk('B'),
      // The dry run, then --persist refused (root B is staged from an ext4 disk, not a btrfs subvolume).
      'nextroot reboot --dry-run; nextroot reboot --persist --json > /e2e/out/persist.json; echo "persist: exit $?"',
      reboot('', 'reboot'),
      `${awaitOrdinaryFrom('B')}; ${HISTORY}`,
      FACTS,
      'findmnt -no SOURCE,TARGET /var; findmnt -no SOURCE /; ls -d /run/nextroot /run/nextroot.armed 2>/dev/null | wc -l',
      "systemctl show | grep -E '^(SoftReboot|ShutdownStart|Finish)' || true",
      'ls /run/reboot-required* 2>/dev/null | wc -l',
    ],
    timeoutS: 1500,
    forwards: serving.forwards,
    onRecord: serving.onRecord,
  },
  async (run) => {
    const [a, b] = run.boots
    assert.is(run.boots.length, 2)
    // The guest itself: root A from its own disk, on a systemd that can soft-reboot (>= 254).
    assert.equal([a.root, a.imageVersion, a.rootSource, a.softReboots], ['A', 'A', '/dev/vda', 0])
    assert.ok(parseInt(a.systemd) >= 254, `systemd ${a.systemd} is older than 254 (no soft-reboot)`)
    console.log(`guest: systemd ${a.systemd}, kernel ${a.kernel}`)
    assert.is(b.root, 'B', 'the root is B (marker)')
    assert.is(b.bootId, a.bootId, 'same kernel boot')
    assert.is(b.softReboots, 1)
    assert.match(
      output(run, 3),
      /mount --rbind -o x-initrd.mount \/var \/run\/nextroot\.armed\/var/,
      'the dry run names the steps',
    )
    assert.match(output(run, 3), /ln -sfn \/run\/nextroot\.armed \/run\/nextroot /, 'armed by a symlink')
    assert.match(output(run, 3), /persist: exit 12\s*$/)
    const persist = shared(run, 'persist') as unknown as {error: {code: string; message: string}}
    assert.is(persist.error.code, 'NR_CANNOT_PERSIST')
    assert.match(persist.error.message, /is not a btrfs subvolume/)
    const rebooted = shared(run, 'reboot')
    assert.equal([rebooted.ok, rebooted.result.mode, rebooted.result.target], [true, 'soft-reboot', 'staged'])
    const before = JSON.parse(output(run, 1)) as Record<string, string>
    const after = JSON.parse(output(run, 6)) as Record<string, string>
    assert.equal(after, before, 'machine-id, hostname, SSH host key, user, data, survivor PID')
    assert.is(before.hostname, 'nextroot-guest-a')
    assert.match(before.user, /uid=1500\(alice\)/)
    const [entry] = entries(output(run, 5))
    assert.is(entry.outcome, 'healthy', entry.problems.join('; '))
    const {fromCommandMs = 0, fromTriggerMs = 0, switchMs = 0} = entry.durations
    assert.ok(fromTriggerMs > 0, 'the switch is timed from the trigger')
    assert.ok(fromCommandMs > fromTriggerMs, 'and from the command, node start included')
    assert.ok(switchMs > 0 && switchMs < fromTriggerMs, 'services were down for part of it')
    assert.equal(entry.clearedFlags, ['/run/reboot-required', '/run/reboot-required.pkgs'])
    assert.is(output(run, 9).trim(), '0', 'the satisfied reboot-required flags are gone')
    console.log(
      `switch: services down ${switchMs} ms; command to default target ${fromCommandMs} ms, trigger to it ${fromTriggerMs} ms`,
    )
    assert.is(output(run, 7).trim().split('\n').at(-1), '0', 'no staging leftovers at /run/nextroot')
    console.log(`mounts after the switch: ${output(run, 7).replace(/\n/g, '; ')}`)
    console.log(`manager timestamps: ${output(run, 8).replace(/\n/g, '; ')}`)
    const polls = await serving.report()
    assert.ok(polls, 'the host polled both web services')
    console.log(`through nextroot reboot: ${WEB.survivor.unit} ${describePolls(polls.survivor)}`)
    console.log(`through nextroot reboot: ${WEB.ordinary.unit} ${describePolls(polls.ordinary)}`)
    assert.ok(polls.survivor.requests >= 20, 'the survivor was asked throughout')
    assert.is(polls.survivor.failures, 0, 'the survivor answered every request through the switch')
    assert.equal(polls.survivor.bodies, ['survivor, started in root A'])
    assert.equal(polls.ordinary.bodies, ['ordinary, root A', 'ordinary, root B'], 'restarted from root B')
    assert.ok(polls.ordinary.outageMs > 0, 'the ordinary service was down while the switch ran')
  },
)

scenario(
  test,
  'a root whose default target fails falls back to a full reboot, and the history says why',
  {
    id: 'nextroot-fallback',
    steps: [
      stageDisk('broken'),
      reboot('', 'reboot'),
      '[ "$(cat /etc/nextroot-marker)" != broken ] || sleep 900',
      'nextroot history --json',
    ],
    timeoutS: 1500,
  },
  (run) => {
    const first = run.boots[0]
    const last = run.boots.at(-1)!
    assert.is(last.root, 'A', 'back on the root the boot loader boots')
    assert.is.not(last.bootId, first.bootId, 'a full reboot: new boot ID')
    const entry = entries(output(run, 3)).at(-1)!
    assert.is(entry.outcome, 'fell-back')
    assert.ok(
      entry.problems.some((p) => /nextroot-e2e-broken\.service|is degraded|not active/.test(p)),
      entry.problems.join('; '),
    )
  },
)

scenario(
  test,
  'plan says reboot for a root with another kernel; reboot refuses to soft-reboot, --full really reboots',
  {
    id: 'nextroot-full',
    steps: [
      stageDisk('C'),
      'nextroot plan --json',
      'nextroot reboot --json > /e2e/out/refused.json; echo "exit $?"',
      reboot('--full', 'full'),
      'cat /etc/nextroot-marker',
      // `nextroot install`: systemd loads the unit from /etc and multi-user.target wants it.
      'nextroot install --json | jq -r .result.action && systemctl daemon-reload && systemctl show -P FragmentPath,WantedBy,LoadState nextroot-after-switch.service',
    ],
    timeoutS: 1200,
  },
  (run) => {
    const plan = JSON.parse(output(run, 1)) as {
      result: {action: string; reasons: Array<{code: string; message: string}>}
    }
    assert.is(plan.result.action, 'reboot')
    const staged = plan.result.reasons.find((r) => r.code === 'KERNEL_STAGED')
    assert.match(staged?.message ?? '', /^kernel 6\.99\.0-nextroot-c staged, .* running$/)
    assert.is(output(run, 2).trim(), 'exit 12')
    const refused = shared(run, 'refused') as unknown as {error: {code: string}}
    assert.is(refused.error.code, 'NR_FULL_REBOOT_NEEDED')
    const full = shared(run, 'full')
    assert.match(JSON.stringify(full.result.steps), /SYSTEMCTL_SKIP_AUTO_SOFT_REBOOT=1/)
    const [before, after] = run.boots
    assert.is(run.boots.length, 2)
    assert.is.not(after.bootId, before.bootId, 'a real reboot: new boot ID')
    assert.is(after.root, 'A')
    assert.is(after.softReboots, 0)
    // systemctl show prints properties in its own order: WantedBy, LoadState, FragmentPath.
    assert.equal(output(run, 5).trim().split('\n'), [
      'installed',
      'multi-user.target',
      'loaded',
      '/etc/systemd/system/nextroot-after-switch.service',
    ])
  },
)

/** This scenario keeps nextroot's state elsewhere: the armed unit must check and record the switch there. */
const ALT_STATE = '/var/lib/nextroot-alt'

/**
 * Root B's /usr alone, as an image-based OS ships it: an overlay of B's disk with every top-level entry but usr
 * whited out (a directory stages as a plain bind mount, so usr must not be a submount of it).
 */
const STAGE_USR_ONLY = [
  'set -e',
  'mkdir -p /mnt/rootB /var/tmp/usr-only /var/tmp/usr-upper /var/tmp/usr-work',
  'mountpoint -q /mnt/rootB || mount /dev/disk/by-label/ROOTB /mnt/rootB',
  'for entry in /mnt/rootB/*; do [ "${entry##*/}" = usr ] || mknod "/var/tmp/usr-upper/${entry##*/}" c 0 0; done',
  'mount -t overlay overlay -o lowerdir=/mnt/rootB,upperdir=/var/tmp/usr-upper,workdir=/var/tmp/usr-work /var/tmp/usr-only',
  'ls /var/tmp/usr-only',
  `nextroot stage /var/tmp/usr-only --state-dir ${ALT_STATE} > /dev/null`,
].join('; ')

scenario(
  test,
  "a /usr-only image, state in another --state-dir: the machine's root with the staged /usr, on a --when= schedule",
  {
    id: 'nextroot-usr-only',
    steps: [
      STAGE_USR_ONLY,
      `nextroot reboot --dry-run --state-dir ${ALT_STATE}`,
      reboot(`--when=+20s --state-dir ${ALT_STATE}`, 'reboot'),
      historyIn(ALT_STATE),
      'findmnt -no FSTYPE /usr',
      // logind's schedule is in /run, which the switch keeps: the guard must have dropped it (no second switch);
      // the armed unit and its locations drop-in are gone too.
      'ls /run/systemd/shutdown/scheduled /run/systemd/system/systemd-logind.service.d/* /run/systemd/system/nextroot-after-switch.service* 2>/dev/null; systemctl show -P SoftRebootsCount',
    ],
    timeoutS: 1200,
  },
  (run) => {
    assert.is(output(run, 0).trim(), 'usr', 'the staged tree holds only usr')
    assert.match(
      output(run, 1),
      /mount --bind -o x-initrd.mount \/ \/run\/nextroot\.armed\n/,
      'the dry run assembles the running root at /run/nextroot.armed',
    )
    assert.match(
      output(run, 1),
      /checks \/var\/lib\/nextroot-alt\/switch\.json/,
      'armed for the other state dir',
    )
    const rebooted = shared(run, 'reboot')
    assert.equal([rebooted.ok, rebooted.result.mode], [true, 'soft-reboot'])
    assert.match(JSON.stringify(rebooted.result.steps), /--when=\+20s/)
    const [a, b] = run.boots
    assert.is(run.boots.length, 2)
    assert.equal([b.bootId, b.softReboots], [a.bootId, 1], 'a soft reboot')
    assert.is(b.root, 'A', "/etc is the machine's own")
    assert.is(b.imageVersion, 'B', "/usr is B's (os-release)")
    assert.is(output(run, 4).trim(), 'overlay')
    assert.is(output(run, 5).trim(), '1', 'no schedule or guard left, one soft reboot')
    const [entry] = entries(output(run, 3))
    assert.is(entry.outcome, 'healthy', entry.problems.join('; '))
  },
)

test.run()
