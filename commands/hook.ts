// nextroot hook apt-packages: what apt's DPkg::Pre-Install-Pkgs hook runs (installed by `install --hooks`).
import {createReadStream} from 'node:fs'
import {text} from 'node:stream/consumers'

import * as Args from '@oclif/core/args'

import {BaseCommand} from '../src/cli/base-command.js'
import {locationFlags, locationsFrom} from '../src/cli/flags.js'
import {resolveLocations} from '../src/locations.js'
import {parseAptHookInfo, recordChangedPackages} from '../src/restart/packages.js'

export default class Hook extends BaseCommand {
  static override summary =
    "Record what a package manager's transaction changes (run by the hooks, not by hand)."
  static override description = `apt-packages reads apt's DPkg::Pre-Install-Pkgs data (protocol 3, on standard input or on $APT_HOOK_INFO_FD) and records the packages upgraded, downgraded or reinstalled in /run/nextroot.packages: \`nextroot restart\` then restarts their units that say X-RestartOnUpgrade=yes (or reloads those that say reload). A full reboot forgets the record.`

  static override examples = [
    {
      description: "What the apt hook runs (apt's protocol 3 on standard input)",
      command: '<%= config.bin %> hook apt-packages < apt-hook-info.txt',
    },
  ]

  static override args = {
    kind: Args.string({options: ['apt-packages'], required: true, description: 'What to record.'}),
  }

  static override flags = {...locationFlags}

  async run(): Promise<{packages: string[]}> {
    const {flags} = await this.parse(Hook)
    const fd = process.env.APT_HOOK_INFO_FD
    const input = fd ? createReadStream('', {fd: Number(fd)}) : process.stdin
    const packages = parseAptHookInfo(await text(input))
    await recordChangedPackages(resolveLocations(locationsFrom(flags)), packages)
    this.log(
      packages.length > 0
        ? `nextroot: recorded ${packages.join(' ')}`
        : 'nextroot: no package changed in place',
    )
    return {packages}
  }
}
