/**
 * The process whitelist: live processes, the project each works in, what
 * protects them, and a safe way to stop the rest. The pane, `cws ps/kill/
 * whitelist/cleanup` and the cexit shutdown use this module through
 * ProcessControl.
 */
export {ProcessControl, type CleanupProgress, type ProcessControlOptions} from './control.js';
export {attributeCwd, Attributor, countByProject, type Attribution} from './attribution.js';
export {projectCwdProbe} from './cwd-probe.js';
export {auditLog, type AuditSink, type SignalAuditRecord} from './audit.js';
export {planFromEntries, policyFilter, targetOf, type CleanupPlan, type PlannedStop, type ShutdownPolicy} from './cleanup.js';
export {defaultRules} from './defaults.js';
export {ancestorsOf, builtInReasons, protectionOf, protectionSummary, BUILT_IN, type BuiltInCode, type Guard, type Protection, type ProtectionReason} from './protection.js';
export {linuxSource, darwinSource, platformSource, ProcessReader, type ProcessSource} from './reader.js';
export {compileRules, ruleProblem, RULE_KINDS, type CompiledRule, type RuleInput, type RuleKind, type WhitelistRule} from './rules.js';
export {linearRegexAvailable, MAX_MATCHED_COMMAND, MAX_PATTERN_LENGTH, regexProblem} from './safe-regex.js';
export {buildSnapshot, SCOPES, type ProcessEntry, type ProcessSnapshot, type Scope} from './snapshot.js';
export {DEFAULT_GRACE_MS, KILL_CONFIRM_MS, STOP_SIGNALS, type SignalSent, type StopCode, type StopOptions, type StopOutcome, type StopResult, type StopSignal} from './stop.js';
export {REQUESTERS, type ProcessInfo, type ProcessTarget, type Requester} from './types.js';
export {whitelistSpec, type AddRuleResult, type WhitelistData} from './whitelist.js';
export type {RawProcess} from './linux-reader.js';
export {describeEntry, describePlan, describeResult, entryJson, formatBytes, formatRunTime, processTable, ruleLine} from './format.js';
export {parseGraceSeconds, parseStopSignal} from './signals.js';
export {processShutdownParticipant, STOP_PROCESSES_QUESTION, type ProcessShutdownOptions, type ProcessShutdownParticipant} from './shutdown.js';
export {protectionToggle, type ProtectionToggle} from './toggle.js';
