import {createInterface} from 'node:readline/promises';
import {CwsError, UsageError} from '../core/errors.js';
import {
	describeEntry, describePlan, describeResult, entryJson, linearRegexAvailable, parseGraceSeconds, parseStopSignal,
	processTable, ProcessControl, ruleLine, STOP_SIGNALS, type CleanupPlan, type RuleInput, type StopResult,
} from '../core/processes/index.js';
import type {CliCommand, CliContext} from './types.js';

const json = {type: 'boolean', description: 'print JSON instead of text'} as const;
const grace = {type: 'string', description: 'seconds between the first signal and SIGKILL (default 5)', valueName: 'seconds'} as const;
const yes = {type: 'boolean', description: 'do not ask; needed when standard input is not a terminal'} as const;

/** What built-in protection covers; shown by `cws whitelist`, never stored. */
const BUILT_IN_TEXT = [
	'PID 1 and kernel threads',
	'processes of other users',
	'this cws process and its ancestors (the shell, tmux, sshd session running it)',
];

async function control(ctx: CliContext): Promise<ProcessControl> {
	return ProcessControl.forWorkspace(await ctx.openWorkspace({create: false}));
}

function print(ctx: CliContext, data: unknown): void {
	ctx.stdout(JSON.stringify(data, null, 2));
}

/**
 * Asks y/N on the terminal. Scripts (stdin not a terminal) are not asked:
 * `cws kill` names its target explicitly and goes ahead, `cws cleanup`
 * needs --yes. Protection and the pid-reuse check apply either way.
 */
async function confirm(question: string): Promise<boolean> {
	const rl = createInterface({input: process.stdin, output: process.stderr});
	try {
		return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
	} finally {
		rl.close();
	}
}

function exitCodeOf(results: StopResult[]): number {
	return results.every(result => result.outcome === 'stopped' || result.outcome === 'killed') ? 0 : 1;
}

/** `cws cleanup --processes`: plan, confirm, stop. Returns the exit code. */
export async function runProcessCleanup(values: Record<string, unknown>, ctx: CliContext): Promise<number> {
	const graceMs = parseGraceSeconds(values['grace']);
	const processes = await control(ctx);
	const plan = await processes.planCleanup();
	const planJson = (current: CleanupPlan) => ({
		stops: current.stops.map(stop => ({scope: stop.scope, pid: stop.target.pid, startTime: stop.target.startTime, covers: stop.covers.map(entryJson)})),
		protected: current.protected.map(item => ({...entryJson(item.entry), reasons: item.reasons})),
	});
	if (!ctx.json) {
		for (const line of describePlan(plan)) {
			ctx.stdout(line);
		}
	}

	if (values['dry-run'] === true || plan.stops.length === 0) {
		if (ctx.json) {
			print(ctx, {dryRun: values['dry-run'] === true, plan: planJson(plan), results: []});
		}

		return 0;
	}

	if (values['yes'] !== true) {
		if (!process.stdin.isTTY) {
			const count = plan.stops.reduce((sum, stop) => sum + stop.covers.length, 0);
			throw new CwsError('CONFIRMATION_REQUIRED', `Not stopping ${count} workspace process${count === 1 ? '' : 'es'} without confirmation: standard input is not a terminal.`, {
				hint: 'Add --yes to stop them, or --dry-run to only list them.',
			});
		}

		if (!(await confirm('Stop them?'))) {
			ctx.stderr('Nothing stopped.');
			return 1;
		}
	}

	const results = await processes.runCleanup(plan, {
		requestedBy: 'cli',
		...(graceMs === undefined ? {} : {graceMs}),
		onProgress: ctx.json ? undefined : result => ctx.stdout(describeResult(result)),
	});
	if (ctx.json) {
		print(ctx, {dryRun: false, plan: planJson(plan), results});
	}

	return exitCodeOf(results);
}

const processCleanupOptions: NonNullable<CliCommand['options']> = {
	processes: {type: 'boolean', description: 'stop every unprotected process working in the workspace'},
	yes,
	grace,
};

/**
 * Adds --processes (and --yes, --grace) to the `cleanup` command of
 * `commands`, keeping whatever else it cleans: `cws cleanup --processes
 * --sandbox` does both, processes first so nothing runs inside a project
 * while it is archived.
 */
export function withProcessCleanup(commands: CliCommand[]): CliCommand[] {
	const existing = commands.find(command => command.name === 'cleanup');
	const merged: CliCommand = {
		name: 'cleanup',
		summary: existing ? 'Archive stale sandbox projects; stop workspace processes' : 'Stop workspace processes (--processes)',
		usage: 'cws cleanup [--processes] [--sandbox] [--dry-run] [--yes] [--json]',
		options: {...existing?.options, ...processCleanupOptions, 'dry-run': {type: 'boolean', description: 'list what would be done, change nothing'}, json},
		async run(input) {
			const {values, ctx} = input;
			if (values['processes'] !== true) {
				if (existing === undefined || values['sandbox'] !== true) {
					throw new UsageError(`cws cleanup: say what to clean up: --processes${existing ? ' and/or --sandbox' : ''}.`, 'Example: cws cleanup --processes --dry-run');
				}

				return existing.run(input);
			}

			if (existing === undefined || values['sandbox'] !== true) {
				return runProcessCleanup(values, ctx);
			}

			if (!ctx.json) {
				const code = await runProcessCleanup(values, ctx);
				return Math.max(code, await existing.run({...input, values: {...values, processes: undefined}}));
			}

			// Both with --json: one document holding both answers.
			const collect = (): {ctx: CliContext; text: () => unknown} => {
				const chunks: string[] = [];
				return {ctx: {...ctx, stdout: text => chunks.push(text)}, text: () => JSON.parse(chunks.join('\n') || 'null') as unknown};
			};
			const processes = collect();
			const sandbox = collect();
			const code = await runProcessCleanup(values, processes.ctx);
			const sandboxCode = await existing.run({...input, values: {...values, processes: undefined}, ctx: sandbox.ctx});
			print(ctx, {processes: processes.text(), sandbox: sandbox.text()});
			return Math.max(code, sandboxCode);
		},
	};
	return existing ? commands.map(command => (command === existing ? merged : command)) : [...commands, merged];
}

/** `cws kill`: describe, maybe confirm, stop one process (or the group it leads). */
async function runKill(positionals: string[], values: Record<string, unknown>, ctx: CliContext): Promise<number> {
	const text = positionals[0] ?? '';
	if (!/^[1-9]\d{0,9}$/.test(text)) {
		throw new UsageError(`cws kill: '${text}' is not a process id.`, 'Usage: cws kill <pid> [--signal S] [--grace SECONDS] [--group]');
	}

	const pid = Number(text);
	const signal = parseStopSignal(values['signal']);
	const graceMs = parseGraceSeconds(values['grace']);
	const processes = await control(ctx);
	const entry = (await processes.snapshot('all')).entries.find(candidate => candidate.pid === pid);
	if (entry === undefined) {
		throw new CwsError('NO_SUCH_PROCESS', `No process with pid ${pid}.`, {hint: 'Run `cws ps --all` to see your processes.'});
	}

	const group = values['group'] === true;
	const target = {pid, startTime: entry.startTime, command: entry.command};
	if (entry.protection.protected) {
		// Refused here already, but through stopProcess so that the refusal is audited like any other.
		return reportStop(ctx, await processes.stopProcess(target, {signal, requestedBy: 'cli'}));
	}

	if (!ctx.json) {
		ctx.stdout(`${group ? 'Stopping the process group led by' : 'Stopping'} ${describeEntry(entry)}`);
		if (!group && entry.groupSize > 1) {
			ctx.stdout(`  (it leads a process group of ${entry.groupSize}; add --group to stop them all)`);
		}
	}

	if (values['yes'] !== true && process.stdin.isTTY && !(await confirm(`Send ${signal}${signal === 'SIGKILL' ? '' : ', then SIGKILL after the grace period'}?`))) {
		ctx.stderr('Nothing sent.');
		return 1;
	}

	const options = {signal, requestedBy: 'cli' as const, ...(graceMs === undefined ? {} : {graceMs})};
	const result = group ? await processes.stopGroup(target, options) : await processes.stopProcess(target, options);
	return reportStop(ctx, result);
}

function reportStop(ctx: CliContext, result: StopResult): number {
	if (ctx.json) {
		print(ctx, result);
	} else if (result.outcome === 'stopped' || result.outcome === 'killed') {
		ctx.stdout(describeResult(result));
	} else {
		ctx.stderr(`cws: ${result.message}`);
		for (const reason of result.reasons.slice(1)) {
			ctx.stderr(`  also: ${reason}`);
		}

		if (result.code === 'protected' && result.reasons.some(reason => reason.startsWith('rule '))) {
			ctx.stderr('A rule can be removed with `cws whitelist remove <rule-id>`; built-in protection cannot.');
		}
	}

	return exitCodeOf([result]);
}

async function listRules(ctx: CliContext, extra: string | undefined): Promise<number> {
	if (extra !== undefined) {
		throw new UsageError(`cws whitelist list: unexpected argument '${extra}'.`);
	}

	const rules = await (await control(ctx)).rules();
	if (ctx.json) {
		print(ctx, {builtIn: BUILT_IN_TEXT, rules, linearTimeRegex: linearRegexAvailable()});
		return 0;
	}

	ctx.stdout('Always protected (built-in):');
	for (const text of BUILT_IN_TEXT) {
		ctx.stdout(`  ${text}`);
	}

	ctx.stdout(rules.length === 0 ? 'No rules.' : `Rules (${rules.length}):`);
	for (const rule of rules) {
		ctx.stdout(`  ${ruleLine(rule)}`);
	}

	return 0;
}

function ruleInput(values: Record<string, unknown>): RuleInput {
	const given = (['exe', 'name', 'cmdline'] as const).filter(kind => values[kind] !== undefined);
	if (given.length !== 1) {
		throw new UsageError('cws whitelist add: give exactly one of --exe PATH, --name ARGV0 or --cmdline REGEX.', 'Example: cws whitelist add --name vim --reason "my editor"');
	}

	const kind = given[0]!;
	const input: RuleInput = {kind, value: String(values[kind])};
	if (typeof values['user'] === 'string') {
		input.user = values['user'];
	}

	if (typeof values['reason'] === 'string') {
		input.reason = values['reason'];
	}

	return input;
}

/** Process commands: ps, whitelist (list, add, remove), kill. `cleanup --processes` comes through withProcessCleanup. */
export const processCommands: CliCommand[] = [
	{
		name: 'ps',
		summary: 'Processes working in the workspace, with project and protection',
		usage: 'cws ps [--all] [--json]',
		options: {all: {type: 'boolean', description: 'every process of yours, not only the workspace\'s'}, json},
		async run({values, ctx}) {
			const processes = await control(ctx);
			const snapshot = await processes.snapshot(values['all'] === true ? 'mine' : 'workspace');
			if (ctx.json) {
				print(ctx, {
					workspace: processes.attributor.root,
					scope: values['all'] === true ? 'mine' : 'workspace',
					takenAt: new Date(snapshot.takenAt).toISOString(),
					processes: snapshot.entries.map(entryJson),
					projects: Object.fromEntries(snapshot.projectCounts),
				});
				return 0;
			}

			if (snapshot.entries.length === 0) {
				ctx.stdout(values['all'] === true ? 'No processes.' : `No processes work inside ${processes.attributor.root}.`);
				return 0;
			}

			for (const line of processTable(snapshot.entries, snapshot.takenAt)) {
				ctx.stdout(line);
			}

			return 0;
		},
	},
	{
		name: 'whitelist',
		summary: 'Process protection rules: list, add, remove',
		usage: 'cws whitelist [list] [--json] | add (--exe PATH | --name ARGV0 | --cmdline REGEX) [--user U] [--reason TEXT] | remove <rule-id>',
		positionals: {min: 0, max: 2},
		options: {
			exe: {type: 'string', description: 'add: the program file (its real path is kept)', valueName: 'path'},
			name: {type: 'string', description: 'add: argv[0] without folders, e.g. vim', valueName: 'argv0'},
			cmdline: {type: 'string', description: 'add: regular expression on the command line', valueName: 'regex'},
			user: {type: 'string', description: 'add: only processes of this user', valueName: 'user'},
			reason: {type: 'string', description: 'add: why; shown wherever it protects', valueName: 'text'},
			json,
		},
		async run({positionals, values, ctx}) {
			const [action = 'list', id] = positionals;
			const ruleFlags = ['exe', 'name', 'cmdline', 'user', 'reason'].filter(flag => values[flag] !== undefined);
			if (action !== 'add' && ruleFlags.length > 0) {
				throw new UsageError(`cws whitelist ${action}: --${ruleFlags[0]} belongs to \`cws whitelist add\`.`);
			}

			switch (action) {
				case 'list': {
					return listRules(ctx, id);
				}

				case 'add': {
					if (id !== undefined) {
						throw new UsageError(`cws whitelist add: unexpected argument '${id}'.`, 'Example: cws whitelist add --name vim --reason "my editor"');
					}

					const {rule, added} = await (await control(ctx)).addRule(ruleInput(values));
					if (ctx.json) {
						print(ctx, {added, rule});
					} else {
						ctx.stdout(added ? `Added ${ruleLine(rule)}` : `Already there: ${ruleLine(rule)}`);
					}

					return 0;
				}

				case 'remove': {
					if (id === undefined) {
						throw new UsageError('cws whitelist remove: which rule? Give its id.', 'Run `cws whitelist` to see the rule ids.');
					}

					const rule = await (await control(ctx)).removeRule(id);
					if (ctx.json) {
						print(ctx, {removed: rule});
					} else {
						ctx.stdout(`Removed ${ruleLine(rule)}`);
					}

					return 0;
				}

				default: {
					throw new UsageError(`cws whitelist: unknown action '${action}'.`, 'Usage: cws whitelist [list] | cws whitelist add … | cws whitelist remove <rule-id>');
				}
			}
		},
	},
	{
		name: 'kill',
		summary: 'Stop a process: signal, grace period, then SIGKILL',
		usage: 'cws kill <pid> [--signal S] [--grace SECONDS] [--group] [--yes] [--json]',
		positionals: {min: 1, max: 1},
		options: {
			signal: {type: 'string', description: `first signal: ${STOP_SIGNALS.map(name => name.slice(3)).join(', ')} (default TERM)`, valueName: 'S'},
			grace,
			group: {type: 'boolean', description: 'stop the process group it leads (workspace only)'},
			yes: {type: 'boolean', description: 'do not ask on a terminal (scripts are never asked)'},
			json,
		},
		async run({positionals, values, ctx}) {
			return runKill(positionals, values, ctx);
		},
	},
];
