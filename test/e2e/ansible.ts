// Runs the Ansible role (integrations/ansible) against a qemu guest over SSH, for the real-systemd tests.
import {mkdir, readFile, rm, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'

import {execa} from 'execa'

import {repoRoot} from './paths.js'

/** The example play, resolved from this module's URL (through paths.ts), so any working directory will do. */
export const playbookPath = path.join(repoRoot, 'integrations/ansible/playbook.yml')

/** The guest as the inventory names it; its line in PLAY RECAP starts with this. */
export const guestHost = '127.0.0.1'

/** A throwaway guest: no known_hosts entries, no agent keys, no warnings about either. */
const GUEST_SSH = [
  'StrictHostKeyChecking=no',
  'UserKnownHostsFile=/dev/null',
  'IdentitiesOnly=yes',
  'LogLevel=ERROR',
]
const sshOptions = (options: string[]) => options.flatMap((option) => ['-o', option])

export interface Recap {
  /** The host's PLAY RECAP line ('' when the output has none: the play never got that far). */
  recap: string
  ok: number
  changed: number
  unreachable: number
  failed: number
}

export interface PlayResult extends Recap {
  exitCode: number
  /** stdout and stderr, interleaved. */
  output: string
}

export interface PlayOptions {
  /** The host port qemu forwards to the guest's sshd. */
  port: number
  /** Path of the private key root's authorized_keys in the guest accepts. */
  privateKey: string
  /** Where the inventory and ansible.cfg are written (created if missing). */
  dir: string
  /** Passed as one `--extra-vars` JSON document (nextroot_bin, nextroot_image, ...). */
  extraVars: Record<string, string>
  /** ansible-playbook is killed after this long. */
  timeoutMs: number
  /** Called with each output line as it arrives. */
  log?: (line: string) => void
}

/** A new ed25519 key pair without passphrase in `dir`: the private key's path and the public key's text. */
export async function sshKeyPair(dir: string): Promise<{privateKey: string; publicKey: string}> {
  await mkdir(dir, {recursive: true})
  const privateKey = path.join(dir, 'id_ed25519')
  // ssh-keygen asks before overwriting: start from nothing
  await rm(privateKey, {force: true})
  await rm(`${privateKey}.pub`, {force: true})
  await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'nextroot-e2e', '-f', privateKey])
  const publicKey = (await readFile(`${privateKey}.pub`, 'utf8')).trim()
  return {privateKey, publicKey}
}

/** The counts of `host`'s line in the last PLAY RECAP of `output` (the first host's when not given). */
export function parseRecap(output: string, host?: string): Recap {
  const at = output.lastIndexOf('PLAY RECAP')
  const lines = at === -1 ? [] : output.slice(at).split('\n').slice(1)
  const line = lines.find((l) => {
    const name = /^(\S+)\s+:\s+ok=/.exec(l)?.[1]
    return name !== undefined && (host === undefined || name === host)
  })
  const counts = new Map([...(line ?? '').matchAll(/(\w+)=(\d+)/g)].map((m) => [m[1], Number(m[2])]))
  const count = (key: string) => counts.get(key) ?? 0
  return {
    recap: line?.trim() ?? '',
    ok: count('ok'),
    changed: count('changed'),
    unreachable: count('unreachable'),
    failed: count('failed'),
  }
}

function inventory(options: PlayOptions): string {
  const vars = [
    `ansible_port=${options.port}`,
    'ansible_user=root',
    `ansible_ssh_private_key_file=${options.privateKey}`,
    'ansible_python_interpreter=/usr/bin/python3',
    `ansible_ssh_common_args='${sshOptions(GUEST_SSH).join(' ')}'`,
  ]
  return `[nextroot_hosts]\n${guestHost} ${vars.join(' ')}\n`
}

/** Unix sockets take 107 bytes: Ansible's socket is the directory, '/' and a 40-character hash. */
const MAX_CONTROL_DIR = 60

function ansibleCfg(dir: string): string {
  // a run's own ControlMaster sockets: a master left from an earlier guest on the same port is never reused
  const controlDir = path.join(dir, 'cp')
  return `[defaults]
host_key_checking = False
retry_files_enabled = False
stdout_callback = default
interpreter_python = /usr/bin/python3
timeout = 10

[ssh_connection]
${controlDir.length <= MAX_CONTROL_DIR ? `control_path_dir = ${controlDir}` : ''}
# modules go through the SSH session's stdin, not copied over first: fewer round trips
pipelining = True
# notice a connection the switch took down within seconds, not at TCP's pace
ssh_args = -o ControlMaster=auto -o ControlPersist=60s -o ServerAliveInterval=5 -o ServerAliveCountMax=3
`
}

/** Writes an inventory and an ansible.cfg for the guest into `dir` and runs the example play against it. */
export async function runPlay(options: PlayOptions): Promise<PlayResult> {
  await mkdir(options.dir, {recursive: true})
  const inventoryPath = path.join(options.dir, 'inventory')
  const configPath = path.join(options.dir, 'ansible.cfg')
  await writeFile(inventoryPath, inventory(options))
  await writeFile(configPath, ansibleCfg(options.dir))
  const args = ['-i', inventoryPath, playbookPath, '--extra-vars', JSON.stringify(options.extraVars)]
  const play = execa('ansible-playbook', args, {
    cwd: options.dir,
    env: {ANSIBLE_CONFIG: configPath, ANSIBLE_FORCE_COLOR: '0', ANSIBLE_NOCOLOR: '1', PYTHONUNBUFFERED: '1'},
    all: true,
    reject: false,
    timeout: options.timeoutMs,
  })
  const lines: string[] = []
  for await (const line of play.iterable({from: 'all'})) {
    lines.push(line)
    options.log?.(line)
  }
  const result = await play
  const timedOut = result.timedOut ? [`ansible-playbook: killed after ${options.timeoutMs} ms`] : []
  const output = [...lines, ...timedOut].join('\n')
  return {exitCode: result.exitCode ?? -1, output, ...parseRecap(output, guestHost)}
}

/** Polls `ssh root@127.0.0.1 true` until the guest's sshd lets the key in; at most one try every 2 s. */
export async function waitForSsh(port: number, privateKey: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  const maxTries = Math.max(1, Math.ceil(timeoutMs / 2000))
  const args = [
    ...sshOptions([...GUEST_SSH, 'BatchMode=yes', 'ConnectTimeout=5']),
    '-i',
    privateKey,
    '-p',
    `${port}`,
  ]
  let last = ''
  for (let tries = 0; tries < maxTries && Date.now() < deadline; tries++) {
    const started = Date.now()
    const result = await execa('ssh', [...args, 'root@127.0.0.1', 'true'], {
      reject: false,
      all: true,
      timeout: Math.max(1000, Math.min(15_000, deadline - started)),
    })
    if (result.exitCode === 0) return
    last = result.all?.trim() || `exit ${result.exitCode ?? 'none'}`
    await sleep(Math.max(0, Math.min(2000 - (Date.now() - started), deadline - Date.now())))
  }
  throw new Error(`ssh to 127.0.0.1:${port} not ready within ${timeoutMs} ms: ${last}`)
}
