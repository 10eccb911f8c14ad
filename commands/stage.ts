// nextroot stage: verify, unpack and publish a new root at /run/nextroot.
import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'

import {BaseCommand} from '../src/cli/base-command.js'
import {locationFlags, locationsFrom} from '../src/cli/flags.js'
import {abortOnSignals} from '../src/cli/interrupt.js'
import {progressLine} from '../src/cli/progress.js'
import {renderRepublished, renderStaged} from '../src/cli/render-stage.js'
import {NextrootError} from '../src/errors.js'
import {type RepublishResult, republish} from '../src/stage/republish.js'
import {stage, type StageResult} from '../src/stage/stage.js'

function usage(message: string): NextrootError {
  return new NextrootError('NR_USAGE', message, {hints: ['See nextroot stage --help.']})
}

export default class Stage extends BaseCommand {
  static override summary = 'Verify, unpack and publish a new root for nextroot reboot to switch into.'
  static override description = `SOURCE is a tar archive (plain, gzip, zstd or xz, recognised by content), '-' for an archive on standard input, a directory holding a root tree, or an ext4/erofs/squashfs image file or block device (mounted, not copied).

Archives are unpacked into the store under --state-dir (on disk, not in RAM), images mounted under it; the tree is checked (os-release, systemd as init, this machine's architecture, not the running root) and only then published: the record naming it is renamed into place. A failure or Ctrl-C leaves the previously staged root untouched.

Nothing is put at --nextroot: a plain \`systemctl reboot\` stays a full reboot, and a raw \`systemctl soft-reboot\` restarts the same root. \`nextroot reboot\` carries the machine over and arms the switch.

After a full reboot the staged root is stale (not published in this boot): --republish checks it again (OS tree, architecture, modules for the kernel that runs now), mounts an image again, and publishes it without unpacking.`

  static override examples = [
    {
      description: 'Stage a downloaded image, checking its digest',
      command: '<%= config.bin %> stage os-42.tar.zst --sha256 9f86d081884c7d65...',
    },
    {
      description: 'Verify against a signed checksum list',
      command:
        '<%= config.bin %> stage os-42.tar.gz --checksums SHA256SUMS --signature SHA256SUMS.gpg --keyring /etc/nextroot/trusted.gpg',
    },
    {
      description: 'Stream from another tool',
      command: 'curl -s http://updates.example/os-42.tar.xz | <%= config.bin %> stage - --sha256 9f86d0...',
    },
    {
      description: 'Mount an A/B partition prepared by systemd-sysupdate',
      command: '<%= config.bin %> stage /dev/disk/by-partlabel/root-b',
    },
    {
      description: 'After a full reboot: publish the staged root again, without unpacking it',
      command: '<%= config.bin %> stage --republish',
    },
  ]

  static override args = {
    source: Args.string({
      description: "Archive, '-', directory, image file or block device (none with --republish).",
    }),
  }

  static override flags = {
    sha256: Flags.string({
      summary: 'Expected SHA-256 of the source (64 hex digits).',
      exclusive: ['checksums'],
    }),
    checksums: Flags.file({summary: 'SHA256SUMS file listing the source by name.', exists: true}),
    signature: Flags.file({
      summary: 'Detached OpenPGP signature of the --checksums file.',
      exists: true,
      dependsOn: ['checksums', 'keyring'],
    }),
    keyring: Flags.file({
      summary: 'Keyring with the trusted key for --signature (used with gpgv).',
      exists: true,
      dependsOn: ['signature'],
    }),
    'drop-selinux': Flags.boolean({
      summary: 'Drop security.selinux labels from the archive (the new root gets relabelled).',
    }),
    republish: Flags.boolean({
      summary: 'Publish the staged root again after a full reboot: check it, do not unpack it.',
      exclusive: ['sha256', 'checksums', 'signature', 'keyring', 'drop-selinux'],
    }),
    ...locationFlags,
  }

  async run(): Promise<StageResult | RepublishResult> {
    const {args, flags} = await this.parse(Stage)
    if (flags.republish) {
      if (args.source !== undefined) throw usage('--republish takes no SOURCE: it publishes what is staged.')
      const result = await republish(locationsFrom(flags))
      for (const warning of result.warnings) this.warning(warning)
      this.log(renderRepublished(result))
      return result
    }

    if (args.source === undefined) throw usage('SOURCE is required: an archive, -, a directory or an image.')
    const progress = progressLine(
      !this.jsonEnabled() && process.stderr.isTTY === true && flags['log-level'] !== 'quiet',
    )
    const interrupt = abortOnSignals()
    try {
      const result = await stage({
        source: args.source,
        sha256: flags.sha256,
        checksums: flags.checksums,
        signature: flags.signature,
        keyring: flags.keyring,
        keepSelinux: !flags['drop-selinux'],
        signal: interrupt.signal,
        onProgress: progress.update,
        ...locationsFrom(flags),
      })
      progress.done()
      for (const warning of result.warnings) this.warning(warning)
      this.log(renderStaged(result))
      return result
    } finally {
      progress.done()
      interrupt.dispose()
    }
  }
}
