import {setTimeout as delay} from 'node:timers/promises';
import type {WorkspacePaths} from '../paths.js';
import type {Store} from '../store.js';
import {Attributor} from './attribution.js';
import {auditLog, type AuditSink} from './audit.js';
import {planFromEntries, policyFilter, type CleanupPlan, type ShutdownPolicy} from './cleanup.js';
import {stopGroup} from './group.js';
import {RuleMatchCache} from './match-cache.js';
import {ancestorsOf, type Guard} from './protection.js';
import {ProcessReader, platformSource, type ProcessSource} from './reader.js';
import {compileRules, type CompiledRule, type RuleInput, type WhitelistRule} from './rules.js';
import {buildSnapshot, type ProcessSnapshot, type Scope} from './snapshot.js';
import {stopProcess, type StopContext, type StopOptions, type StopResult} from './stop.js';
import type {ProcessTarget} from './types.js';
import {addRule, loadRules, removeRule, type AddRuleResult} from './whitelist.js';

/** Everything ProcessControl touches; tests replace `kill`, `source` or `audit` to inject faults. */
export type ProcessControlOptions = {
	/** Workspace root (attribution) — realpath'd once. */
	root: string;
	/** The workspace store: whitelist.json lives there. */
	store: Store;
	/** Where signal records go; default appends to <root>/.cws/audit.log. */
	audit?: AuditSink;
	auditFile?: string;
	source?: ProcessSource;
	kill?: (pid: number, signal: NodeJS.Signals) => void;
	sleep?: (ms: number) => Promise<void>;
	now?: () => number;
	/** Our uid and pid (built-in protection); default this process's. */
	uid?: number;
	selfPid?: number;
};

/** Progress of a cleanup: called as each stop finishes. */
export type CleanupProgress = (result: StopResult, done: number, total: number) => void;

/**
 * The process whitelist of one workspace: listing with attribution and
 * protection, the rules, and safe stopping. One instance per view or
 * command; keep it across refreshes so CPU% is measured between them.
 */
export class ProcessControl {
	readonly attributor: Attributor;
	readonly reader: ProcessReader;
	private readonly options: ProcessControlOptions;
	private readonly context: StopContext;
	private readonly uid: number;
	private readonly selfPid: number;
	private compiled: {key: string; rules: CompiledRule[]} | undefined;
	private readonly matches = new RuleMatchCache();

	constructor(options: ProcessControlOptions) {
		this.options = options;
		this.attributor = new Attributor(options.root);
		const source = options.source ?? platformSource();
		this.reader = new ProcessReader(source, options.now);
		this.uid = options.uid ?? process.getuid?.() ?? -1;
		this.selfPid = options.selfPid ?? process.pid;
		const now = options.now ?? Date.now;
		this.context = {
			source,
			guard: async () => this.guard(),
			attribute: process => this.attributor.attribute(process),
			audit: options.audit ?? auditLog(options.auditFile ?? `${options.store.meta}/audit.log`),
			kill: options.kill ?? ((pid, signal) => {
				process.kill(pid, signal);
			}),
			sleep: options.sleep ?? (async ms => delay(ms)),
			now,
		};
	}

	/** A control for an opened workspace. */
	static forWorkspace(workspace: {paths: WorkspacePaths; store: Store}, options: Partial<ProcessControlOptions> = {}): ProcessControl {
		return new ProcessControl({root: workspace.paths.root, store: workspace.store, auditFile: workspace.paths.audit, ...options});
	}

	/** Lists processes in `scope` (default: the workspace's) with project and protection. */
	async snapshot(scope: Scope = 'workspace'): Promise<ProcessSnapshot> {
		const started = performance.now();
		const rules = await this.rules();
		const processes = await this.reader.list();
		const compiled = this.compile(rules);
		const guard: Guard = {
			uid: this.uid, selfPid: this.selfPid, ancestors: new Set(), rules: compiled,
			match: process => this.matches.match(compiled, process),
		};
		const takenAt = (this.options.now ?? Date.now)();
		const snapshot = buildSnapshot(processes, this.attributor, guard, scope, takenAt, 0);
		this.matches.prune();
		return {...snapshot, costMs: performance.now() - started};
	}

	/** Running processes per project (`<stage>/<name>` -> count), for board cards. */
	async projectCounts(): Promise<Map<string, number>> {
		return (await this.snapshot('workspace')).projectCounts;
	}

	/** The whitelist rules (the defaults are written on first use). */
	async rules(): Promise<WhitelistRule[]> {
		return loadRules(this.options.store);
	}

	/** Adds a validated rule (CwsError WHITELIST_INVALID_RULE when refused). */
	async addRule(input: RuleInput): Promise<AddRuleResult> {
		return addRule(this.options.store, input);
	}

	/** Removes a rule by id (CwsError WHITELIST_NO_SUCH_RULE when absent). */
	async removeRule(id: string): Promise<WhitelistRule> {
		return removeRule(this.options.store, id);
	}

	/** Stops one process (see stopProcess in stop.ts). */
	async stopProcess(target: ProcessTarget, options: StopOptions): Promise<StopResult> {
		return stopProcess(this.context, target, options);
	}

	/** Stops the process group `leader` leads (see stopGroup in group.ts). */
	async stopGroup(leader: ProcessTarget, options: StopOptions): Promise<StopResult> {
		return stopGroup(this.context, leader, options);
	}

	/** Every unprotected workspace process (groups as groups), and the protected ones with reasons. */
	async planCleanup(): Promise<CleanupPlan> {
		const snapshot = await this.snapshot('workspace');
		return planFromEntries(snapshot.entries, snapshot.takenAt);
	}

	/** What a shutdown with `policy` would stop (for cexit); nothing when the policy is 'none'. */
	async shutdownPlan(policy: ShutdownPolicy): Promise<CleanupPlan> {
		const snapshot = await this.snapshot('workspace');
		return planFromEntries(snapshot.entries, snapshot.takenAt, policyFilter(policy));
	}

	/**
	 * Runs a plan: all stops at once (so the whole cleanup takes about one
	 * grace period), each re-checking identity and protection before every
	 * signal exactly as a single stop does.
	 */
	async runCleanup(plan: CleanupPlan, options: StopOptions & {onProgress?: CleanupProgress}): Promise<StopResult[]> {
		let done = 0;
		return Promise.all(plan.stops.map(async stop => {
			const result = stop.scope === 'group'
				? await this.stopGroup(stop.target, options)
				: await this.stopProcess(stop.target, options);
			done += 1;
			options.onProgress?.(result, done, plan.stops.length);
			return result;
		}));
	}

	/** Rules compiled plus our identity and live ancestors, for one stop decision. */
	private async guard(): Promise<Guard> {
		const source = this.context.source;
		const parents = new Map<number, number>();
		let pid = this.selfPid;
		// Walk up from ourselves, reading each parent fresh.
		while (pid > 1 && !parents.has(pid)) {
			const current = await source.probe(pid);
			if (current === undefined) {
				break;
			}

			parents.set(pid, current.ppid);
			pid = current.ppid;
		}

		return {
			uid: this.uid,
			selfPid: this.selfPid,
			ancestors: ancestorsOf(this.selfPid, child => parents.get(child)),
			rules: this.compile(await this.rules()),
		};
	}

	/**
	 * Compiled rules, reused while the rules stay the same: a regular
	 * expression is compiled on its first match, so compiling afresh on
	 * every refresh would pay that again each time.
	 */
	private compile(rules: WhitelistRule[]): CompiledRule[] {
		const key = JSON.stringify(rules);
		if (this.compiled?.key !== key) {
			this.compiled = {key, rules: compileRules(rules)};
		}

		return this.compiled.rules;
	}
}
