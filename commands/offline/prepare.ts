// nextroot offline prepare: put an update where update mode installs it, and enter update mode if asked.
import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'

import {BaseCommand} from '../../src/cli/base-command.js'
import {locationFlags, locationsFrom} from '../../src/cli/flags.js'
import {abortOnSignals} from '../../src/cli/interrupt.js'
import {progressLine} from '../../src/cli/progress.js'
import {renderPrepared} from '../../src/cli/render-offline.js'
import {type PrepareResult, prepareOffline} from '../../src/offline/prepare.js'

export default class OfflinePrepare extends BaseCommand {
  static override summary =
    "Prepare an offline update for systemd's update mode, entered by a soft reboot where it can be."
  static override description = `SOURCE is a directory of packages (all .deb, installed with apt-get or dpkg; or all .rpm, with dnf or rpm), one package file, or a root image (an archive, an image file or a root directory, staged and verified by \`nextroot stage\`: update mode then switches into it with \`nextroot reboot\`, and a root that needs a new kernel is refused). They are copied into their own directory under --state-dir (offline/ID), hashed as they are copied and verified (--sha256 for one file, --checksums for a list, with --signature as for \`nextroot stage\`), read (name, version, architecture: this machine's or all) and tried (\`apt-get install --simulate\`, \`dpkg --no-act\`, \`rpm --test\`). Only then is /system-update pointed at them, in one rename, and nextroot's offline units placed in /etc/systemd/system (linked into system-update.target.wants and multi-user.target.wants, not enabled).

From then on the next reboot or soft reboot of any kind enters update mode (systemd.offline-updates(7)): only the base system runs, the packages are installed, and update mode is left again, by a soft reboot when the kernel that runs can go on running (its modules there, no new kernel, initrd or command line), else by a full reboot. \`nextroot offline status\` and \`nextroot history\` show each phase with its time and the services' downtime.

--reboot enters update mode now: by a soft reboot, unless the plan needs a full reboot anyway (a newer kernel installed), systemd cannot soft-reboot, or a root is armed at --nextroot. --full takes the classic way, full reboots in and out. Preparing the same packages again changes nothing; other packages replace the earlier payload.`

  static override examples = [
    {
      description: 'Prepare the downloaded packages; the next reboot installs them',
      command:
        'sudo <%= config.bin %> offline prepare /var/cache/updates --checksums /var/cache/updates/SHA256SUMS',
    },
    {
      description: 'Install them now, in update mode, by soft reboots in and out',
      command: 'sudo <%= config.bin %> offline prepare ./debs --reboot',
    },
    {
      description: 'Switch into a new root image from update mode (soft reboots only)',
      command: 'sudo <%= config.bin %> offline prepare ./root-2.tar.zst --sha256 <digest> --reboot',
    },
    {
      description: 'The classic way (two full reboots), to compare',
      command: 'sudo <%= config.bin %> offline prepare ./debs --reboot --full',
    },
  ]

  static override args = {
    source: Args.string({
      description: 'Directory of .deb or .rpm packages, one package file, or a root image.',
      required: true,
    }),
  }

  static override flags = {
    reboot: Flags.boolean({
      summary: 'Enter update mode now (a soft reboot where the running kernel can go on).',
    }),
    full: Flags.boolean({summary: 'Enter and leave update mode by full reboots (the classic way).'}),
    sha256: Flags.string({
      summary: 'Expected SHA-256 of SOURCE, one package file or a root image.',
      exclusive: ['checksums'],
    }),
    checksums: Flags.file({summary: 'SHA256SUMS file listing every package by name.', exists: true}),
    signature: Flags.file({
      summary: 'Detached OpenPGP signature of the --checksums file.',
      exists: true,
      dependsOn: ['checksums', 'keyring'],
    }),
    keyring: Flags.file({
      summary: 'Keyring with the trusted key for --signature.',
      exists: true,
      dependsOn: ['signature'],
    }),
    ...locationFlags,
  }

  /** The result is printed by `announce`, before a switch into update mode ends this process. */
  async run(): Promise<void> {
    const {args, flags} = await this.parse(OfflinePrepare)
    const progress = progressLine(
      !this.jsonEnabled() && process.stderr.isTTY === true && flags['log-level'] !== 'quiet',
    )
    const interrupt = abortOnSignals()
    await prepareOffline({
      source: args.source,
      reboot: flags.reboot,
      full: flags.full,
      sha256: flags.sha256,
      checksums: flags.checksums,
      signature: flags.signature,
      keyring: flags.keyring,
      ...locationsFrom(flags),
      onProgress: progress.update,
      signal: interrupt.signal,
      announce: (result: PrepareResult) => {
        progress.done()
        return this.printBeforeSwitch(result, renderPrepared(result), [])
      },
    }).finally(() => {
      progress.done()
      interrupt.dispose()
    })
  }
}
