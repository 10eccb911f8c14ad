// Boots the guest once for a scenario: overlays on the base images, the shares, the guest's records.
import {execa} from 'execa'
import {appendFile, cp, mkdir, readFile, rm, writeFile} from 'node:fs/promises'
import {existsSync, rmSync} from 'node:fs'
import path from 'node:path'
import {chooseAccel, type Accel} from './accel.js'
import {ensureImages, type Images} from './images.js'
import {vcpus} from './cores.js'
import {startQemu} from './qemu.js'
import {repoRoot, runsDir, workDir} from './paths.js'
import {analyse, type GuestRecord, type RunResult} from './records.js'
import {recordRun} from './timings.js'

export interface GuestRun {
  /** Run dir name under runsDir; also the progress prefix. */
  name: string
  /** Shell commands run in the guest, or `soft-reboot` / `reboot`; `nextroot` is on the guest's PATH. */
  steps: string[]
  /** qemu is killed after this many seconds. */
  timeoutS: number
  /** Puts what the steps need into the share (the guest's /e2e) before the boot. */
  prepare?: (share: string) => Promise<void>
  /** TCP ports qemu forwards from 127.0.0.1 on the host into the guest (it gets a user-mode NIC for them). */
  forwards?: Forward[]
  /** Called with each guest record as it arrives (the host's clock is `record.t`). */
  onRecord?: (record: GuestRecord) => void
  /** Where progress lines go (default: stderr). */
  log?: (line: string) => void
}

export interface Forward {
  host: number
  guest: number
}

export async function runGuest(spec: GuestRun): Promise<RunResult> {
  const images = await ensureImages()
  const accel = await chooseAccel(images.kernel)
  const dir = await claimRunDir(spec.name)
  const share = path.join(dir, 'share')
  await rm(dir, {recursive: true, force: true})
  await mkdir(path.join(share, 'state'), {recursive: true})
  await cp(path.join(repoRoot, 'test/e2e/guest/driver.sh'), path.join(share, 'driver.sh'))
  await writeFile(path.join(share, 'steps'), spec.steps.map((s) => s.replaceAll('\n', ' ')).join('\n') + '\n')
  await spec.prepare?.(share)
  const app = await snapshotApp()
  for (const v of images.variants) {
    await execa('qemu-img', qcow2Overlay(images, v, dir))
  }
  const started = performance.now()
  const elapsed = () => (performance.now() - started) / 1000
  const print = spec.log ?? ((line: string) => console.error(line))
  const log = (msg: string) => print(`[e2e ${spec.name} ${elapsed().toFixed(1)}s] ${msg}`)
  log(`qemu ${accel.name} (${accel.reason}); timeout ${spec.timeoutS}s; run dir ${dir}`)
  const qemu = startQemu(qemuArgs(images, accel, dir, app, spec.forwards ?? []), spec.timeoutS)
  const records: GuestRecord[] = []
  try {
    for await (const line of qemu.lines) {
      const record = parse(line, elapsed())
      if (!record) continue
      if (record.event === 'result') record.output = await stepOutput(share, record.i)
      records.push(record)
      spec.onRecord?.(record)
      await appendFile(path.join(dir, 'records.jsonl'), JSON.stringify(record) + '\n')
      log(describe(record))
    }
  } finally {
    qemu.stop()
  }
  const exit = await qemu.exited
  if (exit.timedOut) log(`killed: no poweroff within ${spec.timeoutS}s`)
  else if (exit.exitCode !== 0) log(`qemu exited with ${exit.exitCode}: ${exit.stderr.trim()}`)
  const run = analyse({name: spec.name, dir, accel, images, records, ...exit, seconds: elapsed()})
  recordRun(run)
  // The overlays hold what the guest wrote (a staged root is ~1 GB); the logs are what is worth keeping.
  for (const v of images.variants) await rm(path.join(dir, `root${v}.qcow2`), {force: true})
  return run
}

/** runs/NAME, unless another live test process holds it; then runs/NAME-PID. */
async function claimRunDir(name: string): Promise<string> {
  const owner = path.join(runsDir, `${name}.owner`)
  const pid = Number(await readFile(owner, 'utf8').catch(() => '0'))
  if (pid && pid !== process.pid && alive(pid)) return path.join(runsDir, `${name}-${process.pid}`)
  await mkdir(runsDir, {recursive: true})
  await writeFile(owner, String(process.pid))
  return path.join(runsDir, name)
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

async function stepOutput(share: string, i: number): Promise<string> {
  const file = path.join(share, 'out', `step-${i}.txt`)
  return readFile(file, 'utf8').catch((err: Error) => `(no output: ${err.message})`)
}

function qcow2Overlay(images: Images, variant: string, dir: string): string[] {
  const base = path.join(images.dir, `root${variant}.img`)
  return ['create', '-q', '-f', 'qcow2', '-F', 'raw', '-b', base, path.join(dir, `root${variant}.qcow2`)]
}

/** No network at all, or qemu's user-mode one with only the forwards (restrict=on: the guest reaches nothing). */
function nicArgs(forwards: Forward[]): string[] {
  if (forwards.length === 0) return ['-nic', 'none']
  const rules = forwards.map((f) => `hostfwd=tcp:127.0.0.1:${f.host}-:${f.guest}`)
  return ['-nic', ['user', 'model=virtio-net-pci', 'restrict=on', ...rules].join(',')]
}

function qemuArgs(images: Images, accel: Accel, dir: string, app: string, forwards: Forward[]): string[] {
  const cmdline = ['console=ttyS0,115200', 'root=/dev/vda', 'rw', 'panic=-1', ...accel.cmdline]
  const share = (tag: string, from: string, ro: boolean) => [
    '-virtfs',
    `local,path=${from},mount_tag=${tag},security_model=none,id=${tag}${ro ? ',readonly=on' : ''}`,
  ]
  return [
    ...accel.qemuArgs,
    ...['-m', process.env.NEXTROOT_E2E_MEM ?? '1536', '-smp', vcpus(), '-nodefaults', '-display', 'none'],
    ...['-kernel', images.kernel, '-initrd', images.initrd, '-append', cmdline.join(' ')],
    ...images.variants.flatMap((v) => [
      '-drive',
      `file=${path.join(dir, `root${v}.qcow2`)},if=virtio,format=qcow2,cache=unsafe,discard=unmap`,
    ]),
    ...share('e2e', path.join(dir, 'share'), false),
    ...['-drive', `file=${app},if=virtio,format=raw,readonly=on`],
    ...share('images', images.dir, true),
    ...nicArgs(forwards),
    ...['-serial', `file:${path.join(dir, 'console.log')}`, '-serial', 'stdio'],
  ]
}

let appImage: Promise<string> | undefined

/** The built CLI as a read-only ext4 image, so a rebuild on the host cannot change it under a guest. */
function snapshotApp(): Promise<string> {
  appImage ??= (async () => {
    const app = path.join(workDir, `app-${process.pid}`)
    process.on('exit', () => rmSync(`${app}.img`, {force: true}))
    await rm(app, {recursive: true, force: true})
    await mkdir(app, {recursive: true})
    for (const entry of ['package.json', 'bin', 'dist', 'node_modules', 'units']) {
      const from = path.join(repoRoot, entry)
      if (existsSync(from)) await cp(from, path.join(app, entry), {recursive: true, verbatimSymlinks: true})
    }
    const {stdout} = await execa('du', ['-sm', app])
    const sizeMb = 2 * parseInt(stdout) + 64
    await execa('mkfs.ext4', ['-q', '-F', '-L', 'nextroot-app', '-d', app, `${app}.img`, `${sizeMb}M`])
    await rm(app, {recursive: true, force: true})
    return `${app}.img`
  })()
  return appImage
}

function parse(line: string, t: number): GuestRecord | undefined {
  const text = line.replace(/\r$/, '')
  if (!text.startsWith('{')) return undefined
  try {
    return {...(JSON.parse(text) as GuestRecord), t}
  } catch {
    return undefined
  }
}

function describe(r: GuestRecord): string {
  switch (r.event) {
    case 'boot':
      return `boot ${r.n}: root ${r.root} (IMAGE_VERSION=${r.imageVersion}) on ${r.rootSource}, systemd ${r.systemd}, boot_id ${r.bootId.slice(0, 8)}, SoftRebootsCount ${r.softReboots}`
    case 'step':
      return `step ${r.i}: ${r.step.length > 100 ? `${r.step.slice(0, 99)}…` : r.step}`
    case 'result':
      return `step ${r.i}: rc=${r.rc}`
    case 'done':
      return `done, ${r.ok ? 'all steps passed' : 'a step failed'}; powering off`
  }
}
