// The package-manager hooks `nextroot install --hooks` places, so `nextroot restart` runs at the end of every
// transaction: apt (DPkg::Post-Invoke, with Pre-Install-Pkgs protocol 3 recording what changed), dnf 4's
// post-transaction-actions and dnf 5's actions plugin. Each hook is placed only where its package manager is.
import {mkdir, readFile, rename, rm, writeFile} from 'node:fs/promises'
import {dirname, join} from 'node:path'

import {pathExists, unlessAbsent} from '../absent.js'
import {NextrootError} from '../errors.js'

export interface HookFile {
  manager: 'apt' | 'dnf4' | 'dnf5'
  /** Under the root. */
  path: string
  /** The directory that says this package manager is there. */
  needs: string
  text: string
}

const HEADER = 'Placed by `nextroot install --hooks`; `nextroot install --hooks --remove` removes it.'

/**
 * apt aborts when a Pre-Install-Pkgs or Post-Invoke command fails: both end in `|| true`. Post-Invoke runs
 * after every dpkg run (apt may run dpkg more than once); restart --hook steps aside during a shutdown.
 */
function aptHook(bin: string): string {
  return [
    `// ${HEADER}`,
    '// Records the packages each dpkg run changes (protocol 3), then restarts what runs replaced code.',
    `DPkg::Pre-Install-Pkgs {"${bin} hook apt-packages || true";};`,
    `DPkg::Tools::Options::${bin}::Version "3";`,
    `DPkg::Post-Invoke {"test -x ${bin} && ${bin} restart --hook apt || true";};`,
    '',
  ].join('\n')
}

/** dnf 4 runs each command once per transaction after substitution; it never fails the transaction. */
function dnf4Hook(bin: string): string {
  return [`# ${HEADER}`, `*:any:${bin} restart --hook dnf`, ''].join('\n')
}

/** dnf 5: callback:package_filter:direction:options:command; by default a failure is only logged. */
function dnf5Hook(bin: string): string {
  return [`# ${HEADER}`, `post_transaction::::${bin} restart --hook dnf`, ''].join('\n')
}

/** A path apt.conf and the dnf action files take as it is: no spaces, quotes or shell characters. */
const PLAIN_PATH = /^\/[\w./+-]+$/

export function hookFiles(bin: string): HookFile[] {
  if (!PLAIN_PATH.test(bin))
    throw new NextrootError(
      'NR_USAGE',
      `The hooks cannot name ${JSON.stringify(bin)}: use a plain absolute path.`,
      {
        hints: ['Pass --bin /usr/bin/nextroot (or wherever nextroot is installed).'],
      },
    )
  return [
    {manager: 'apt', path: 'etc/apt/apt.conf.d/80nextroot', needs: 'etc/apt/apt.conf.d', text: aptHook(bin)},
    {
      manager: 'dnf4',
      path: 'etc/dnf/plugins/post-transaction-actions.d/nextroot.action',
      needs: 'etc/dnf',
      text: dnf4Hook(bin),
    },
    {
      manager: 'dnf5',
      path: 'etc/dnf/libdnf5-plugins/actions.d/nextroot.actions',
      needs: 'etc/dnf',
      text: dnf5Hook(bin),
    },
  ]
}

export type HookAction = 'installed' | 'unchanged' | 'removed' | 'absent' | 'not-here'

/** Places one hook (atomically), unless it is there already or its package manager is not. */
export async function placeHook(root: string, hook: HookFile): Promise<HookAction> {
  if (!(await pathExists(join(root, hook.needs)))) return 'not-here'
  const path = join(root, hook.path)
  if ((await unlessAbsent(path, readFile(path, 'utf8'))) === hook.text) return 'unchanged'
  await mkdir(dirname(path), {recursive: true})
  await writeFile(`${path}.tmp`, hook.text, {mode: 0o644})
  await rename(`${path}.tmp`, path)
  return 'installed'
}

export async function removeHook(root: string, hook: HookFile): Promise<HookAction> {
  const path = join(root, hook.path)
  if (!(await pathExists(path))) return 'absent'
  await rm(path)
  return 'removed'
}
