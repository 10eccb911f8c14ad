// Tests of the package-manager hooks: what each file says, that install --hooks is idempotent and skips
// package managers that are not there, and that the apt hook's recorder keeps what apt reports.
import {mkdir, readFile} from 'node:fs/promises'
import {join} from 'node:path'

import {test} from 'uvu'
import * as assert from 'uvu/assert'

import {changedPackages} from '../../src/restart/packages.js'
import {resolveLocations} from '../../src/locations.js'
import {hookFiles} from '../../src/shipped/hooks.js'
import {installHooks} from '../../src/shipped/install.js'
import {runCli} from '../helpers/cli.js'
import {withScratch} from '../helpers/scratch.js'

test('the apt hook never fails apt; Pre-Install-Pkgs asks for protocol 3 of the same program', () => {
  const [apt, dnf4, dnf5] = hookFiles('/usr/bin/nextroot').map((h) => h.text)
  assert.match(apt, /^DPkg::Pre-Install-Pkgs \{"\/usr\/bin\/nextroot hook apt-packages \|\| true";\};$/m)
  assert.match(apt, /^DPkg::Tools::Options::\/usr\/bin\/nextroot::Version "3";$/m)
  assert.match(
    apt,
    /^DPkg::Post-Invoke \{"test -x \/usr\/bin\/nextroot && \/usr\/bin\/nextroot restart --hook apt \|\| true";\};$/m,
  )
  assert.match(dnf4, /^\*:any:\/usr\/bin\/nextroot restart --hook dnf$/m)
  assert.match(dnf5, /^post_transaction::::\/usr\/bin\/nextroot restart --hook dnf$/m)
  assert.throws(() => hookFiles('/opt/my tools/nextroot'), /plain absolute path/)
  assert.throws(() => hookFiles('nextroot'), /plain absolute path/)
})

test('install --hooks: only where the package manager is, idempotent, removable', async () => {
  await withScratch('hooks', async (root) => {
    await mkdir(join(root, 'etc/apt/apt.conf.d'), {recursive: true})
    const bin = '/usr/bin/nextroot'
    const first = await installHooks({root, bin})
    assert.equal(
      first.hooks.map((h) => [h.manager, h.action]),
      [
        ['apt', 'installed'],
        ['dnf4', 'not-here'],
        ['dnf5', 'not-here'],
      ],
    )
    assert.match(await readFile(join(root, 'etc/apt/apt.conf.d/80nextroot'), 'utf8'), /restart --hook apt/)
    assert.equal((await installHooks({root, bin})).hooks[0].action, 'unchanged')
    assert.equal((await installHooks({root, bin: '/usr/local/bin/nextroot'})).hooks[0].action, 'installed')
    assert.equal(
      (await installHooks({root, bin, remove: true})).hooks.map((h) => h.action),
      ['removed', 'absent', 'absent'],
    )
  })
})

test('nextroot hook apt-packages records what apt upgrades, beside the nextroot path', async () => {
  await withScratch('hook-apt', async (dir) => {
    const nextroot = join(dir, 'nextroot')
    const input =
      'VERSION 3\nAPT::Architecture=amd64\n\nnr-demo 1.0 amd64 same < 2.0 amd64 same /x/nr-demo_2.0_amd64.deb\n'
    const run = await runCli(['hook', 'apt-packages', '--nextroot', nextroot, '--json'], {input})
    assert.is(run.exitCode, 0, run.stderr)
    assert.equal(run.json?.result, {packages: ['nr-demo']})
    assert.equal(await changedPackages(resolveLocations({nextroot})), ['nr-demo'])
  })
})

test.run()
