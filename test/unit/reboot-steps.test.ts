// `nextroot reboot` as data: for every mode, the lines --dry-run prints are the descriptions of the very step
// values the applier is handed, in the same order, and the trigger steps come last (after the print).
import {test} from 'uvu'
import * as assert from 'uvu/assert'

import {DEFAULT_CONFIG} from '../../src/config.js'
import {resolveLocations} from '../../src/locations.js'
import type {Decision} from '../../src/plan/decide.js'
import type {PlanFacts} from '../../src/plan/facts.js'
import type {Action, SwitchTarget} from '../../src/plan/reasons.js'
import {type StepEffects, applySteps} from '../../src/reboot/apply.js'
import {type CarryFacts, planCarryOver} from '../../src/reboot/carry-over.js'
import type {RebootFacts} from '../../src/reboot/facts.js'
import {pendingSwitch} from '../../src/reboot/pending.js'
import {type StepInputs, planSteps} from '../../src/reboot/plan-steps.js'
import {type RebootStep, describeRebootStep, isTrigger} from '../../src/reboot/steps.js'
import {planRestart} from '../../src/restart/policy.js'
import {STAGED, SYSTEMD_257} from '../helpers/check-facts.js'
import {ALICE, restartFacts, staleProcess, systemFacts, unit} from '../helpers/restart-facts.js'

const locations = resolveLocations({stateDir: '/srv/nextroot-state'})

const CARRY: CarryFacts = {
  tree: STAGED.tree as string,
  armed: '/run/nextroot.armed',
  hostRoot: '/',
  usrOnly: false,
  dirs: [
    {source: '/var', target: '/run/nextroot.armed/var'},
    {source: '/home', target: '/run/nextroot.armed/home'},
  ],
  files: [{source: '/etc/hostname', target: `${STAGED.tree}/etc/hostname`}],
  leftover: true,
}

const FACTS = {
  systemd: SYSTEMD_257,
  inhibitors: [],
  etcWritable: true,
  bootId: 'b00t',
  survivors: {},
  hostOs: 'root A',
  rootIds: {staged: '254:0:77', host: '254:0:2'},
} satisfies RebootFacts

const PLAN = {
  staged: STAGED,
  rebootRequired: {packages: ['libc6'], installedAt: {}},
} as Partial<PlanFacts> as PlanFacts

/** nginx (system) and a user's sync service run a replaced libssl: what reboot, acting on the plan, restarts. */
const NGINX = planRestart(
  restartFacts({
    system: systemFacts({'nginx.service': unit()}),
    users: [{manager: ALICE, units: {'sync.service': unit()}}],
    stale: {
      processes: [
        staleProcess(412, 'nginx', '/system.slice/nginx.service', ['/usr/lib/libssl.so.3']),
        staleProcess(900, 'sync', '/user.slice/user-1000.slice/user@1000.service/app.slice/sync.service', [
          '/usr/lib/libssl.so.3',
        ]),
      ],
      unreadable: 0,
      proc: true,
    },
  }),
)

function inputs(
  mode: Action,
  target: SwitchTarget | undefined,
  extra: Partial<StepInputs> = {},
  usrOnly = false,
): StepInputs {
  const decision: Decision = {action: mode, target, reasons: [], restart: NGINX, notes: []}
  const pending =
    mode === 'soft-reboot' && target
      ? pendingSwitch({id: 'x', target, plan: PLAN, decision, facts: FACTS, config: DEFAULT_CONFIG, usrOnly})
      : undefined
  const id = '20261201T120000-abcdef'
  return {mode, target, id, locations, decision, nextrootMounted: true, carry: [], pending, ...extra}
}

const MODES: Array<[string, StepInputs]> = [
  ['soft reboot into the staged root', inputs('soft-reboot', 'staged', {carry: planCarryOver(CARRY).steps})],
  [
    'soft reboot into a /usr-only image, on a schedule, made to persist',
    inputs('soft-reboot', 'staged', {
      carry: planCarryOver({...CARRY, usrOnly: true, files: []}).steps,
      when: 'tomorrow 03:00',
      persist: {
        tree: '/t',
        subvolume: true,
        sameFileSystem: true,
        dirsNotInFstab: [],
        subvolumeId: '257',
        previousDefault: '5',
      },
    }),
  ],
  ['soft reboot into the same root', inputs('soft-reboot', 'same-root')],
  ['full reboot with a root staged', inputs('reboot', undefined)],
  ['restart units', inputs('restart-units', undefined)],
  ['nothing to do', inputs('none', undefined)],
]

for (const [mode, given] of MODES) {
  test(`${mode}: the dry run describes exactly the steps that are applied`, async () => {
    const steps = planSteps(given)
    const dryRun = steps.map(describeRebootStep)
    const applied: RebootStep[] = []
    const effects: StepEffects = {
      carry: async (carry) => void applied.push(...carry.map((step) => ({kind: 'carry' as const, step}))),
      other: async (step) => void applied.push(step),
    }
    // as reboot does: everything before the trigger, then (after the print) the trigger
    await applySteps(
      steps.filter((step) => !isTrigger(step)),
      effects,
    )
    await applySteps(steps.filter(isTrigger), effects)
    assert.equal(applied.map(describeRebootStep), dryRun)
    assert.equal(applied, steps)
  })
}

test('a soft reboot into the staged root points /run/nextroot at the assembled tree with a symlink', () => {
  const lines = planSteps(MODES[0][1]).map(describeRebootStep)
  const link = lines.findIndex((l) => l.startsWith('ln -sfn /run/nextroot.armed /run/nextroot'))
  assert.ok(
    link > lines.findIndex((l) => l.startsWith('mount --rbind -o x-initrd.mount /home')),
    'after the carry-over',
  )
  assert.not.ok(
    planSteps(MODES[2][1]).some((step) => step.kind === 'link'),
    'a same-root soft reboot links nothing',
  )
})

test('every soft reboot arms the unit with its locations and writes the switch record just before the switch', () => {
  for (const [, given] of MODES.filter(([, i]) => i.mode === 'soft-reboot')) {
    const lines = planSteps(given).map(describeRebootStep)
    assert.match(
      lines.find((l) => l.startsWith('install'))!,
      /50-nextroot-locations\.conf \(checks \/srv\/nextroot-state\/switch\.json\)/,
    )
    assert.match(lines.at(-2)!, /^write \/srv\/nextroot-state\/switch\.json/)
    assert.match(lines.at(-1)!, /systemctl soft-reboot/)
  }
})

test('reboot acting on the plan restarts what `nextroot restart` would, in the system and the user manager', () => {
  assert.equal(planSteps(inputs('restart-units', undefined)).map(describeRebootStep), [
    'systemctl try-restart -- nginx.service',
    'setpriv --reuid=1000 --regid=1000 --clear-groups env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C SYSTEMD_COLORS=0 XDG_RUNTIME_DIR=/run/user/1000 systemctl --user try-restart -- sync.service',
  ])
})

test('a full reboot withdraws the staged root first and skips the automatic soft reboot', () => {
  const lines = planSteps(inputs('reboot', undefined)).map(describeRebootStep)
  assert.match(lines[0], /^umount -R \/run\/nextroot /)
  assert.match(lines.at(-1)!, /--setenv=SYSTEMCTL_SKIP_AUTO_SOFT_REBOOT=1 -- systemctl reboot$/)
  assert.equal(planSteps(inputs('none', undefined)), [])
})

test.run()
