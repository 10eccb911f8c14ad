// `nextroot needs-reboot`: the sentinel for fleet tools (kured, scripts): the plan, with the restart analysis
// and the judged reboot-required flags, read as "is a soft or a full reboot pending".
import {EXIT, type ExitCode} from '../errors.js'
import {type LocationOptions, resolveLocations} from '../locations.js'
import {decide} from '../plan/decide.js'
import {gatherPlanFacts} from '../plan/facts.js'
import {type SentinelLevel, type SentinelVerdict, sentinel} from './sentinel.js'

export interface NeedsRebootResult extends SentinelVerdict {
  exitCode: ExitCode
}

export async function needsReboot(
  options: LocationOptions & {level?: SentinelLevel} = {},
): Promise<NeedsRebootResult> {
  const locations = resolveLocations(options)
  const verdict = sentinel(decide(await gatherPlanFacts(locations)), options.level ?? 'soft')
  return {...verdict, exitCode: verdict.pending ? EXIT.ok : EXIT.notPending}
}
