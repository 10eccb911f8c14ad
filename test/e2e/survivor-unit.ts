// One copy of systemd-soft-reboot.service(8)'s advice for a unit that survives a soft reboot (systemd 257),
// and of the tmpfs its own root lives on, for every scenario and the demo that start one.

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

/** A tmpfs mount unit at `where` (for RootDirectory= trees: a file system of its own pins nothing of a root). */
export function tmpfsMountUnit(description: string, where: string): string[] {
  return [
    '[Unit]',
    `Description=${description}`,
    'DefaultDependencies=no',
    '[Mount]',
    'What=tmpfs',
    `Where=${where}`,
    'Type=tmpfs',
    'Options=mode=0755,size=16m',
  ]
}
