// The services `nextroot restart` never restarts live, by default, and why: restarting them ends every session,
// cuts the admin off, or stops what everything else runs on. A soft reboot refreshes them instead. The list
// follows needrestart's (ex/needrestart.conf); RESTART_NEVER adds to it, RESTART_ALLOW takes entries out.

interface NeverEntry {
  glob: string
  why: string
}

const WHY = {
  bus: 'the D-Bus daemon: every service and session talks through it',
  login: 'the login manager: restarting it ends sessions',
  managers: 'a user manager: it is re-executed instead',
  display: 'a display manager: restarting it ends graphical sessions',
  console: 'a login console',
  network: 'networking: restarting it can cut off the admin doing the upgrade',
  virt: 'it runs containers or virtual machines, which a restart stops',
  rescue: 'a rescue or emergency shell',
  oneshot: 'an upgrade job itself, or a one-shot',
}

export const BUILT_IN_NEVER: NeverEntry[] = [
  ...['dbus.service', 'dbus-broker.service', 'dbus-daemon.service'].map((glob) => ({glob, why: WHY.bus})),
  ...['systemd-logind.service', 'elogind.service'].map((glob) => ({glob, why: WHY.login})),
  {glob: 'user@*.service', why: WHY.managers},
  ...[
    'gdm',
    'gdm3',
    'sddm',
    'lightdm',
    'lxdm',
    'xdm',
    'kdm',
    'wdm',
    'nodm',
    'slim',
    'greetd',
    'xrdp',
    'display-manager',
  ].map((name) => ({glob: `${name}.service`, why: WHY.display})),
  ...['getty@*.service', 'serial-getty@*.service', 'console-getty.service', 'container-getty@*.service'].map(
    (glob) => ({glob, why: WHY.console}),
  ),
  ...[
    'NetworkManager.service',
    'systemd-networkd.service',
    'networking.service',
    'network*.service',
    'ifup@*.service',
    'wpa_supplicant*.service',
    'ModemManager.service',
    'openvpn*.service',
    '*swan*.service',
    'wg-quick@*.service',
    'frr.service',
    'bird*.service',
    'tinc*.service',
  ].map((glob) => ({glob, why: WHY.network})),
  ...[
    'docker.service',
    'containerd.service',
    'libvirtd.service',
    'lxc*.service',
    'systemd-nspawn@*.service',
  ].map((glob) => ({glob, why: WHY.virt})),
  ...['emergency.service', 'rescue.service'].map((glob) => ({glob, why: WHY.rescue})),
  ...['apt-daily*.service', 'unattended-upgrades.service', 'packagekit.service', 'dnf-makecache.service'].map(
    (glob) => ({glob, why: WHY.oneshot}),
  ),
]

/** Shell-style glob (`*`, `?`) of a unit name as a whole-name regular expression. */
export function globToRegExp(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.')
  return new RegExp(`^${body}$`)
}

export interface NeverRule {
  why: string
  /** From the built-in list (the bus, logind, managers...), not from the admin's RESTART_NEVER. */
  builtIn: boolean
}

/** Why `unit` is never restarted live, or undefined: the config's own entries first, then the built-in list. */
export function neverRestart(unit: string, never: string[], allow: string[]): NeverRule | undefined {
  if (never.some((glob) => globToRegExp(glob).test(unit)))
    return {why: 'RESTART_NEVER in /etc/nextroot/nextroot.conf', builtIn: false}
  if (allow.some((glob) => globToRegExp(glob).test(unit))) return undefined
  const entry = BUILT_IN_NEVER.find((e) => globToRegExp(e.glob).test(unit))
  return entry && {why: entry.why, builtIn: true}
}
