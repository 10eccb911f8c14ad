// Issue 12 on a real systemd: offline updates in update mode (systemd.offline-updates(7)), with packages
// built here by dpkg-deb. nextroot's way (soft reboots in and out: zero full reboots), a failing update, a
// plain `systemctl reboot` entering update mode, the classic way (--full: two full reboots) for the
// downtime beside it, an update unit whose command cannot run (back to normal mode, no reboot loop), and
// an update that takes the running kernel's modules away (out by a full reboot).
import {mkdir} from 'node:fs/promises'
import {join} from 'node:path'

import {test} from 'uvu'
import * as assert from 'uvu/assert'

import {buildDeb} from '../helpers/deb.js'
import {LATE_CLI, finishedOffline, status} from './offline-steps.js'
import {scenario} from './scenario.js'

const DEMO = 'usr/share/nr-offline-demo/version'
const demo = (version: string) => ({name: 'nr-offline-demo', version, files: {[DEMO]: `${version}\n`}})

const RESTORE_SCRIPT = `#!/bin/sh
# Puts back the modules directory the test package moved away, before udev or a mount needs a module.
for dir in /usr/lib/modules/.nr-moved-*; do
  [ -d "$dir" ] && mv "$dir" "/usr/lib/modules/\${dir#/usr/lib/modules/.nr-moved-}"
done
exit 0
`
const RESTORE_UNIT = `[Unit]
Description=nextroot e2e: put back the kernel modules the offline-update test moved away
DefaultDependencies=no
Before=sysinit.target systemd-udev-trigger.service systemd-modules-load.service local-fs-pre.target
ConditionPathExistsGlob=/usr/lib/modules/.nr-moved-*

[Service]
Type=oneshot
ExecStart=/bin/sh /usr/lib/nr-restore-modules.sh
`

/** The payload directories, in the share (the guest's /e2e/debs/NAME). */
async function buildPayloads(share: string): Promise<void> {
  const dir = (name: string) => join(share, 'debs', name)
  const mk = async (name: string, spec: Parameters<typeof buildDeb>[1]) => {
    await mkdir(dir(name), {recursive: true})
    await buildDeb(dir(name), spec)
  }
  await mk('soft', demo('1.0'))
  await mk('fail', {
    name: 'nr-offline-fail',
    version: '1.0',
    postinst: '#!/bin/sh\necho "nr-offline-fail: failing on purpose" >&2\nexit 1\n',
  })
  await mk('plain', demo('2.0'))
  await mk('classic', demo('3.0'))
  await mk('broken', demo('4.0'))
  await mk('modules', {
    name: 'nr-offline-modules',
    version: '1.0',
    files: {
      'usr/lib/nr-restore-modules.sh': RESTORE_SCRIPT,
      'usr/lib/systemd/system/nr-restore-modules.service': RESTORE_UNIT,
      'usr/lib/systemd/system/sysinit.target.wants/nr-restore-modules.service': {
        link: '../nr-restore-modules.service',
      },
    },
    // a stand-in for a kernel package that replaces the running kernel's modules directory
    postinst: '#!/bin/sh\nset -e\nk=$(uname -r)\nmv "/usr/lib/modules/$k" "/usr/lib/modules/.nr-moved-$k"\n',
  })
}

/** Makes the update unit's command fail as a missing node or an unmounted CLI would (ExecStartPre stays). */
const BROKEN = '/etc/systemd/system/nextroot-offline-update.service.d/60-e2e-broken.conf'

const prepare = (name: string, flags: string) =>
  `nextroot offline prepare /e2e/debs/${name} ${flags} --json > /e2e/out/prepare-${name}.json && sleep 900`

const steps = [
  `${LATE_CLI} && nextroot offline status && systemctl list-units --type=service --state=running --no-legend --plain | wc -l`,
  prepare('soft', '--reboot'),
  `${status('soft')} && cat /${DEMO} && journalctl -b -o short-monotonic --no-pager -u nextroot-offline-update.service -u nextroot-offline-leave.service`,
  prepare('fail', '--reboot'),
  `${status('fail')} && dpkg --remove nr-offline-fail && systemctl get-default`,
  'nextroot offline prepare /e2e/debs/plain --json > /e2e/out/prepare-plain.json && nextroot offline status',
  'reboot',
  `${status('plain')} && cat /${DEMO}`,
  prepare('classic', '--reboot --full'),
  `${status('classic')} && cat /${DEMO}`,
  `printf '[Service]\\nExecStart=\\nExecStart=/bin/false\\n' > ${BROKEN} && systemctl daemon-reload && ${prepare('broken', '--reboot')}`,
  `rm ${BROKEN} && systemctl daemon-reload && ${status('broken')} && test ! -e /var/lib/nextroot/offline.claimed && cat /${DEMO}`,
  prepare('modules', '--reboot'),
  `${status('modules')} && ls /usr/lib/modules && nextroot history > /e2e/out/history.txt && cat /e2e/out/history.txt`,
]

const finished = finishedOffline

scenario(
  test,
  'offline: update mode entered and left by soft reboots; failures, plain reboots and a kernel gone',
  {id: 'offline', steps, timeoutS: 2700, prepare: buildPayloads},
  (run) => {
    const output = (step: number) => run.results.find((r) => r.i === step)?.output ?? ''
    const [first] = run.boots
    const normalServices = Number(output(0).trim().split('\n').at(-1))

    // nextroot's way: two soft reboots, no full one
    const soft = finished(run, 'soft')
    assert.is(soft.phase, 'installed')
    assert.equal([soft.entered?.how, soft.leave?.how], ['soft-reboot', 'soft-reboot'])
    assert.equal([soft.entered?.bootId, soft.left?.bootId], [first.bootId, first.bootId])
    assert.is(soft.left?.softRebootsCount, 2)
    assert.is(run.boots[1].softReboots, 2)
    assert.is(run.boots[1].bootId, first.bootId)
    assert.is(soft.entered?.defaultTarget, 'system-update.target')
    assert.ok(
      (soft.entered?.services.length ?? 99) < normalServices,
      `${soft.entered?.services} vs ${normalServices}`,
    )
    assert.not.ok(soft.entered?.services.includes('nextroot-e2e.service'))
    assert.equal(soft.updated?.versions, [{name: 'nr-offline-demo', after: '1.0'}])
    assert.match(output(2), /^1\.0$/m)
    assert.match(output(2), /nextroot: installing nr-offline-demo 1\.0/)
    assert.match(output(2), /leaving update mode by soft-reboot/)
    assert.ok((soft.downMs ?? 0) > 0)

    // a failing update: recorded, back in normal mode by a soft reboot, no loop
    const fail = finished(run, 'fail')
    assert.is(fail.phase, 'failed')
    assert.match(fail.updated?.error ?? '', /apt-get/)
    assert.is(fail.leave?.how, 'soft-reboot')
    assert.match(output(4), /graphical\.target|multi-user\.target/)
    assert.is(run.boots[2].softReboots, 4)

    // prepared, then a plain `systemctl reboot`: that reboot enters update mode; out by a soft reboot
    const plain = finished(run, 'plain')
    assert.equal([plain.phase, plain.entered?.how, plain.leave?.how], ['installed', 'reboot', 'soft-reboot'])
    assert.is(plain.entered?.downSinceFrom, 'kernel-boot')
    assert.not.equal(run.boots[3].bootId, first.bootId)
    assert.is(run.boots[3].softReboots, 1)
    assert.match(output(7), /^2\.0$/m)

    // the classic way: full reboots in and out
    const classic = finished(run, 'classic')
    assert.equal([classic.phase, classic.entered?.how, classic.leave?.how], ['installed', 'reboot', 'reboot'])
    assert.equal(
      classic.leave?.reasons.map((r) => r.code),
      ['CLASSIC_REQUESTED'],
    )
    assert.match(output(9), /^3\.0$/m)

    // the update unit's command cannot run: its ExecStartPre had moved the trigger aside, so the
    // FailureAction's reboot comes back in normal mode (no loop) and normal mode says what happened
    const broken = finished(run, 'broken')
    assert.is(broken.phase, 'failed')
    assert.match(broken.note ?? '', /could not run `nextroot offline execute`/)
    assert.is(broken.entered, undefined)
    assert.not.equal(run.boots[5].bootId, run.boots[4].bootId)
    assert.is(run.boots[5].softReboots, 0)
    assert.match(output(11), /^3\.0$/m)

    // the running kernel's modules gone: out by a full reboot, saying why
    const modules = finished(run, 'modules')
    assert.equal(
      [modules.phase, modules.entered?.how, modules.leave?.how],
      ['installed', 'soft-reboot', 'reboot'],
    )
    assert.ok(modules.leave?.reasons.some((r) => r.code === 'NO_MODULES_FOR_KERNEL'))
    assert.not.equal(modules.left?.bootId, modules.entered?.bootId)
    assert.match(output(13), /offline INSTALLED/)

    console.log(
      `offline downtime (services down, way in to default target on the way out): nextroot's way ${soft.downMs} ms (soft in, soft out), classic ${classic.downMs} ms (full in, full out), modules gone ${modules.downMs} ms (soft in, full out), plain reboot ${plain.downMs} ms (at least; from the kernel's boot)`,
    )
  },
)

test.run()
