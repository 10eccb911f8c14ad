// Library entry point: image updaters written in TypeScript call the same code the CLI runs.
export {stage, type StageOptions, type StageProgress, type StageResult} from './stage/stage.js'
export {status, type StatusResult} from './stage/status.js'
export {unstage, type UnstageResult} from './stage/unstage.js'
export {check, type CheckResult} from './check/check.js'
export type {Finding, Severity, Verdict} from './check/finding.js'
export type {StagedRecord} from './stage/record.js'
export {EXIT, ERROR_CODES, NextrootError, type ErrorCode} from './errors.js'
export {DEFAULT_NEXTROOT, DEFAULT_STATE_DIR, type LocationOptions} from './locations.js'
