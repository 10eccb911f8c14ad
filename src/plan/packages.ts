// Which kind of restart a package named in a reboot-required flag needs: a soft reboot refreshes all of
// userspace (glibc, systemd, dbus), only a full reboot loads a new kernel, firmware or microcode.
export type RestartLevel = 'soft-reboot' | 'reboot'

/** Packages a soft reboot fully refreshes (Debian and Fedora names). */
const SOFT: RegExp[] = [
  /^(libc6|libc-bin|glibc(-.*)?)$/,
  /^(systemd|systemd-.*|libsystemd.*|libudev.*|udev)$/,
  /^(dbus|dbus-.*|libdbus-.*)$/,
  /^(libssl.*|openssl(-libs)?)$/,
]

/** Packages only a full reboot activates: the kernel, its initrd, firmware, microcode, boot loaders. */
const FULL: RegExp[] = [
  /^(linux-(image|modules|headers|firmware|base).*|kernel(-.*)?)$/,
  /^(intel-microcode|amd64-microcode|microcode_ctl|firmware-.*|linux-firmware.*)$/,
  /^(initramfs-tools.*|dracut.*|grub.*|shim.*|systemd-boot.*)$/,
]

/** Undefined for a package nextroot does not know: the caller treats that as a full reboot, to be safe. */
export function restartLevel(pkg: string): RestartLevel | undefined {
  if (FULL.some((pattern) => pattern.test(pkg))) return 'reboot'
  return SOFT.some((pattern) => pattern.test(pkg)) ? 'soft-reboot' : undefined
}
