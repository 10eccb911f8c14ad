// One copy of systemd-soft-reboot.service(8)'s advice for a unit that survives a soft reboot (systemd 257),
// for every scenario and the demo that start one.

/** The [Unit] lines besides SurviveFinalKillSignal=yes (check's scenario (b) puts that one elsewhere). */
export const SURVIVOR_ORDERING = [
  'IgnoreOnIsolate=yes',
  'DefaultDependencies=no',
  'After=basic.target',
  'Conflicts=reboot.target kexec.target poweroff.target halt.target rescue.target emergency.target',
  'Before=shutdown.target rescue.target emergency.target',
]

/** A complete survivor unit, as lines: [Unit] with the advice (plus `unitExtra`), then `service`. */
export function survivorUnit(description: string, service: string[], unitExtra: string[] = []): string[] {
  return [
    '[Unit]',
    `Description=${description}`,
    'SurviveFinalKillSignal=yes',
    ...SURVIVOR_ORDERING,
    ...unitExtra,
    '[Service]',
    ...service,
  ]
}
