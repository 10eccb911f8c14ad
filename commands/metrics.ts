// nextroot metrics: what is pending, the staged root and the last switch, for node_exporter's textfile collector.
import * as Flags from '@oclif/core/flags'

import {BaseCommand} from '../src/cli/base-command.js'
import {locationFlags, locationsFrom} from '../src/cli/flags.js'
import {METRICS_FILE, type MetricsResult, metrics} from '../src/fleet/metrics-file.js'

export default class Metrics extends BaseCommand {
  static override summary = "Print or write nextroot's metrics for node_exporter's textfile collector."
  static override description = `The Prometheus text format node_exporter's textfile collector reads: nextroot_pending{step} (the plan's action: restart-units, soft-reboot or reboot), nextroot_pending_reasons{code}, nextroot_staged_info{state,os,version,sha256,verified}, nextroot_soft_reboots_total (systemd's SoftRebootsCount), nextroot_last_switch_info{outcome,kind,to}, nextroot_last_switch_timestamp_seconds, nextroot_last_switch_downtime_seconds and nextroot_metrics_timestamp_seconds.

With --textfile DIR it writes DIR/${METRICS_FILE} atomically (a temporary file, then a rename), so the collector never reads half of it; \`nextroot install --metrics\` installs a timer that does this every five minutes and after every boot and soft reboot. Without, it prints the metrics.`

  static override examples = [
    {description: 'See them', command: '<%= config.bin %> metrics'},
    {
      description: 'For node_exporter --collector.textfile.directory',
      command: 'sudo <%= config.bin %> metrics --textfile /var/lib/prometheus/node-exporter',
    },
    {description: 'Check them', command: '<%= config.bin %> metrics | promtool check metrics'},
  ]

  static override flags = {
    textfile: Flags.string({summary: `Write ${METRICS_FILE} into this directory (created if missing).`}),
    ...locationFlags,
  }

  async run(): Promise<MetricsResult> {
    const {flags} = await this.parse(Metrics)
    const result = await metrics({...locationsFrom(flags), textfile: flags.textfile})
    if (result.path) this.log(`wrote ${result.path}`)
    else if (!this.jsonEnabled()) process.stdout.write(result.text)
    return result
  }
}
