// `npm run demo`: nextroot's main job on a real systemd in a throwaway VM, with a before/after report.
import {execa} from 'execa'
import {existsSync} from 'node:fs'
import path from 'node:path'
import {ensureImages} from './images.js'
import {repoRoot} from './paths.js'
import {missingPrerequisites} from './prereq.js'
import {tail, type RunResult} from './records.js'
import {runGuest} from './run.js'
import {survivorUnit} from './survivor-unit.js'

// A service with systemd's recommended survivor settings (systemd-soft-reboot.service(8)).
const survivor = survivorUnit('demo service that survives soft reboots', [
  'ExecStart=/usr/bin/sleep infinity',
])
const listServices =
  'systemctl list-units --type=service --state=running --no-legend --plain | ' +
  'while read -r unit _; do echo "$unit $(systemctl show -P MainPID "$unit")"; done'
const startSurvivor =
  `printf '%s\\n' ${survivor.map((l) => `'${l}'`).join(' ')} > /run/systemd/system/demo-survivor.service` +
  ' && systemctl daemon-reload && systemctl start demo-survivor.service'
const stage = 'nextroot stage /images/rootB.tar'
const reboot = 'nextroot reboot > /e2e/out/reboot.txt 2>&1 && sleep 900'
const status = 'nextroot status'
const check =
  'if nextroot check --help > /dev/null 2>&1; then nextroot check; echo "(exit code $?)";' +
  ' else echo "nextroot check: not available yet"; fi'
const steps = [startSurvivor, listServices, stage, status, check, reboot, listServices]

async function main(): Promise<number> {
  console.log(
    'nextroot demo: boots a Debian trixie VM, stages root B with nextroot and switches into it with nextroot reboot.',
  )
  console.log('Nothing on this machine changes; images and runs live under /var/tmp.\n')
  if (process.getuid?.() === 0)
    await execa('bash', [path.join(repoRoot, 'images/host-deps.sh')], {stdio: 'inherit'})
  const missing = missingPrerequisites()
  if (missing) {
    console.error(`cannot run the demo: ${missing}`)
    return 1
  }
  if (!existsSync(path.join(repoRoot, 'dist'))) {
    await execa('npm', ['run', 'build'], {cwd: repoRoot, stdio: 'inherit'})
  }
  const images = await ensureImages()
  console.log(
    `images: ${images.reused ? 'reused' : 'built'} ${images.dir} in ${images.seconds.toFixed(1)}s\n`,
  )
  const run = await runGuest({name: 'demo', steps, timeoutS: 1800})
  const output = (i: number) => run.results.find((r) => r.i === i)?.output.trimEnd() ?? '(did not run)'
  for (const [title, step] of [
    [stage, stage],
    [status, status],
    ['nextroot check', check],
  ]) {
    console.log(`\n$ ${title}\n${output(steps.indexOf(step))}`)
  }
  const [before, after] = run.boots
  const switched = run.completed && after?.root === 'B' && after.bootId === before.bootId
  if (!switched) {
    console.error(
      `\nthe switch did not happen as expected\n${tail(run, 'console', 40)}\n${tail(run, 'journal', 30)}`,
    )
    return 1
  }
  console.log(
    `\n${report(run, output(steps.indexOf(listServices)), output(steps.lastIndexOf(listServices)))}`,
  )
  return 0
}

function report(run: RunResult, servicesBefore: string, servicesAfter: string): string {
  const [before, after] = run.boots
  const pids = (text: string) => new Map(text.split('\n').map((l) => l.split(' ') as [string, string]))
  const [old, now] = [pids(servicesBefore), pids(servicesAfter)]
  const survived = [...now]
    .filter(([unit, pid]) => old.get(unit) === pid)
    .map(([u, pid]) => `${u} (PID ${pid})`)
  const restarted = [...now.keys()].filter((unit) => old.has(unit) && old.get(unit) !== now.get(unit))
  const row = (what: string, a: string, b: string) => `  ${what.padEnd(18)} ${a.padEnd(38)} ${b}`
  return [
    `before/after the soft reboot (${run.accel.name}: ${run.accel.reason}; host clock, TCG times vary ~2.5x)`,
    row('', 'before', 'after'),
    row(
      'root image',
      `${before.root} (IMAGE_VERSION=${before.imageVersion})`,
      `${after.root} (IMAGE_VERSION=${after.imageVersion})`,
    ),
    row('root source', before.rootSource, after.rootSource),
    row(
      'boot ID',
      before.bootId,
      after.bootId === before.bootId ? 'same (the kernel kept running)' : after.bootId,
    ),
    row('SoftRebootsCount', String(before.softReboots), String(after.softReboots)),
    row('kernel', before.kernel, after.kernel),
    row('systemd', before.systemd, after.systemd),
    `  switch took        ${run.switches[0].seconds.toFixed(1)}s (soft-reboot requested -> guest driver running in root B)`,
    `  guest boot took    ${run.bootSeconds?.toFixed(1)}s (qemu start -> multi-user.target)`,
    `  services survived  ${survived.join(', ') || 'none'}`,
    `  services restarted ${restarted.length}: ${restarted.join(', ')}`,
  ].join('\n')
}

process.exitCode = await main()
