// Chooses the accelerator: KVM only when a quick probe boots the guest kernel with it, else tuned TCG.
import {execa} from 'execa'
import {constants} from 'node:fs'
import {access} from 'node:fs/promises'

export interface Accel {
  name: 'KVM' | 'TCG'
  /** Why this accelerator, e.g. the probe's failure. */
  reason: string
  qemuArgs: string[]
  cmdline: string[]
}

const kvm: Accel = {name: 'KVM', reason: '', qemuArgs: ['-accel', 'kvm', '-cpu', 'host'], cmdline: []}
// Without ERMS/FSRM the guest zeroes pages with rep stosq instead of byte-wise rep stosb, and
// init_on_alloc=0 zeroes fewer of them: under TCG this about halves boot and soft-reboot times.
const tcg: Accel = {
  name: 'TCG',
  reason: '',
  qemuArgs: ['-accel', 'tcg', '-cpu', 'max,-erms,-fsrm'],
  cmdline: ['init_on_alloc=0'],
}

let pending: Promise<Accel> | undefined

/** NEXTROOT_E2E_ACCEL=kvm|tcg skips the probe. */
export function chooseAccel(kernel: string): Promise<Accel> {
  pending ??= choose(kernel)
  return pending
}

async function choose(kernel: string): Promise<Accel> {
  const forced = process.env.NEXTROOT_E2E_ACCEL?.toUpperCase()
  if (forced === 'KVM' || forced === 'TCG') {
    return {...(forced === 'KVM' ? kvm : tcg), reason: 'NEXTROOT_E2E_ACCEL'}
  }
  try {
    await access('/dev/kvm', constants.R_OK | constants.W_OK)
  } catch {
    return {...tcg, reason: '/dev/kvm is not usable'}
  }
  // The kernel alone, no root: it runs until it panics for want of a root file system and,
  // with -no-reboot, qemu exits. A broken KVM aborts or stalls long before that.
  const probe = await execa(
    'qemu-system-x86_64',
    [
      ...kvm.qemuArgs,
      '-m',
      '256',
      '-nodefaults',
      '-display',
      'none',
      '-no-reboot',
      '-serial',
      'stdio',
    ].concat(['-kernel', kernel, '-append', 'console=ttyS0 panic=-1 root=/dev/null']),
    {reject: false, all: true, timeout: 10_000, stdin: 'ignore'},
  )
  if (/Kernel panic|VFS: /.test(probe.all)) return {...kvm, reason: 'KVM probe booted the kernel'}
  const why = probe.timedOut ? 'no kernel output in 10s' : (probe.all.trim().split('\n').at(-1) ?? '')
  return {...tcg, reason: `KVM probe failed: ${why.slice(0, 160)}`}
}
