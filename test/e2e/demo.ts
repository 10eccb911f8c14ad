// `npm run demo`: nextroot's main job on a real systemd in a throwaway VM (stage with verification, check,
// plan, reboot, then history and status in the new userspace), with two web services polled from the host
// through the switch, and a before/after report. Set-up output goes to a log file; the screen gets phases.
import {execa} from 'execa'
import {createHash} from 'node:crypto'
import {createReadStream} from 'node:fs'
import {mkdir} from 'node:fs/promises'
import path from 'node:path'
import {Phases} from './demo-phases.js'
import {type DemoOutputs, report} from './demo-report.js'
import {ensureImages} from './images.js'
import {repoRoot, workDir} from './paths.js'
import {missingPrerequisites} from './prereq.js'
import {type GuestRecord, tail} from './records.js'
import {runGuest} from './run.js'
import {awaitOrdinaryFrom, servingSetup, watchServing} from './serving.js'

const LIST_SERVICES =
  'systemctl list-units --type=service --state=running --no-legend --plain | ' +
  'while read -r unit _; do echo "$unit $(systemctl show -P MainPID "$unit")"; done'
/** In the new userspace: the ordinary service is back, and nextroot-after-switch.service has recorded. */
const SETTLED = `${awaitOrdinaryFrom('B')}; for i in $(seq 600); do [ -e /var/lib/nextroot/switch.json ] || break; sleep 1; done`

interface Step {
  title: string
  run: string
  /** Shown after the run as "$ show" and the step's output. */
  show?: string
}

function demoSteps(sha256: string): Step[] {
  const stage = `nextroot stage /images/rootB.tar --sha256 ${sha256}`
  return [
    {title: 'start a web survivor and an ordinary web service in root A', run: servingSetup},
    {title: 'list running services', run: LIST_SERVICES},
    {title: 'nextroot stage root B, verified by its SHA-256', run: stage, show: stage},
    {title: 'nextroot check', run: 'nextroot check; echo "(exit code $?)"', show: 'nextroot check'},
    {title: 'nextroot plan', run: 'nextroot plan; echo "(exit code $?)"', show: 'nextroot plan'},
    {title: 'nextroot reboot', run: 'nextroot reboot > /e2e/out/reboot.txt 2>&1 && sleep 900'},
    {title: 'wait for the ordinary service and the switch record', run: SETTLED},
    {title: 'nextroot history', run: 'nextroot history', show: 'nextroot history'},
    {title: 'nextroot status', run: 'nextroot status', show: 'nextroot status'},
    {title: 'list running services', run: LIST_SERVICES},
  ]
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

/** Host tools, the CLI and the guest images, each a phase; their output goes to the log. */
async function setUp(phases: Phases): Promise<string | undefined> {
  const toLog = {stdout: {file: phases.logFile, append: true}, stderr: {file: phases.logFile, append: true}}
  if (process.getuid?.() === 0)
    await phases.run('install host tools (qemu, debootstrap)', () =>
      execa('bash', [path.join(repoRoot, 'images/host-deps.sh')], toLog),
    )
  const missing = missingPrerequisites()
  if (missing) return missing
  await phases.run('build nextroot', () => execa('npm', ['run', 'build'], {cwd: repoRoot, ...toLog}))
  await phases.run('build or reuse the guest images (Debian trixie roots A and B)', () =>
    ensureImages(phases.logFile),
  )
  return undefined
}

/** Turns the guest's records into phase lines: the boot, each step, and the switch. */
function phaseLines(phases: Phases, steps: Step[]): (record: GuestRecord) => void {
  let firstBoot: string | undefined
  return (record) => {
    if (record.event === 'boot' && firstBoot === undefined) {
      firstBoot = record.bootId
      phases.end(`root ${record.root}, systemd ${record.systemd}`)
    } else if (record.event === 'boot') {
      const kernel = record.bootId === firstBoot ? 'same kernel' : 'a NEW kernel'
      phases.end(`now in root ${record.root}, ${kernel}, SoftRebootsCount ${record.softReboots}`)
    } else if (record.event === 'step') phases.begin(steps[record.i]?.title ?? record.step)
    else if (record.event === 'result') phases.end(record.rc === 0 ? 'ok' : `exit ${record.rc}`)
  }
}

async function main(): Promise<number> {
  console.log(
    'nextroot demo: a Debian trixie VM stages root B, checks and plans, and switches with nextroot reboot',
  )
  console.log(
    'while the host polls two web services in it. Nothing on this machine changes (see /var/tmp).\n',
  )
  await mkdir(workDir, {recursive: true})
  const phases = new Phases(path.join(workDir, 'demo.log'))
  console.log(`set-up output: ${phases.logFile}`)
  const missing = await setUp(phases)
  if (missing) {
    console.error(`cannot run the demo: ${missing}`)
    return 1
  }
  const images = await ensureImages()
  const sha256 = await phases.run("SHA-256 of root B's image (what an update server publishes)", () =>
    sha256Of(path.join(images.dir, 'rootB.tar')),
  )
  const steps = demoSteps(sha256)
  const serving = await watchServing(
    0,
    steps.findIndex((s) => s.run === SETTLED),
  )
  const onPhase = phaseLines(phases, steps)
  phases.begin('boot the guest VM')
  const run = await runGuest({
    name: 'demo',
    steps: steps.map((s) => s.run),
    timeoutS: 1800,
    forwards: serving.forwards,
    onRecord: (record) => (serving.onRecord(record), onPhase(record)),
    log: (line) => phases.note(line),
  })
  phases.end(run.completed ? 'powered off' : 'stopped early')
  const [before, after] = run.boots
  if (!run.completed || after?.root !== 'B' || after.bootId !== before.bootId) {
    console.error(
      `\nthe switch did not happen as expected\n${tail(run, 'console', 40)}\n${tail(run, 'journal', 30)}`,
    )
    return 1
  }
  const outputs: DemoOutputs = {run, steps, polls: await serving.report()}
  console.log(`\n${report(outputs, LIST_SERVICES)}`)
  return 0
}

process.exitCode = await main()
