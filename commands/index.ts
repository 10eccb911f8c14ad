// Every command, for oclif's explicit command discovery: one module to load (bundled by bin/bundle.js), not
// one per command found by scanning a directory.
import AfterSwitch from './after-switch.js'
import Apply from './apply.js'
import Check from './check.js'
import History from './history.js'
import Hook from './hook.js'
import Install from './install.js'
import Lint from './lint.js'
import Metrics from './metrics.js'
import NeedsReboot from './needs-reboot.js'
import OfflineCancel from './offline/cancel.js'
import OfflineExecute from './offline/execute.js'
import OfflineFinish from './offline/finish.js'
import OfflineLeave from './offline/leave.js'
import OfflinePrepare from './offline/prepare.js'
import OfflineStatus from './offline/status.js'
import Plan from './plan.js'
import Reboot from './reboot.js'
import Restart from './restart.js'
import Stage from './stage.js'
import Status from './status.js'
import Unstage from './unstage.js'

export const COMMANDS = {
  'after-switch': AfterSwitch,
  apply: Apply,
  check: Check,
  history: History,
  hook: Hook,
  install: Install,
  lint: Lint,
  metrics: Metrics,
  'needs-reboot': NeedsReboot,
  'offline:cancel': OfflineCancel,
  'offline:execute': OfflineExecute,
  'offline:finish': OfflineFinish,
  'offline:leave': OfflineLeave,
  'offline:prepare': OfflinePrepare,
  'offline:status': OfflineStatus,
  plan: Plan,
  reboot: Reboot,
  restart: Restart,
  stage: Stage,
  status: Status,
  unstage: Unstage,
}
