import {configSection, readConfigPayload} from '../../../core/config-file.js';
import {CwsError} from '../../../core/errors.js';
import {STAGES, type Stage, type WorkspacePaths} from '../../../core/paths.js';
import {DEFAULT_GRACE_MS, processShutdownParticipant, type ProcessControl, type ShutdownPolicy} from '../../../core/processes/index.js';
import {workspaceConfigSpec} from '../../../core/queue/index.js';
import type {ShutdownParticipant, ShutdownStep} from '../../../core/shutdown.js';
import type {Store} from '../../../core/store.js';
import {printable} from './text.js';

/**
 * The `processes` section of .cws/config.json: what cexit does with
 * processes working in the workspace.
 *
 *   "processes": {"onExit": "ask", "stages": ["sandbox", "active"], "graceSeconds": 5}
 *
 * onExit 'ask' (the default) lists the unprotected ones and asks; 'leave'
 * never stops them. `stages` limits the list to projects in those stages
 * (default: the whole workspace). Under SIGTERM/SIGHUP nothing is stopped
 * whatever this says: a dropped connection must not end a long job.
 */
export type ProcessExitPolicy = {onExit: 'ask' | 'leave'; stages: Stage[] | undefined; graceMs: number};

export const DEFAULT_EXIT_POLICY: ProcessExitPolicy = {onExit: 'ask', stages: undefined, graceMs: DEFAULT_GRACE_MS};

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Validates the section; throws an Error naming the field. */
export function parseExitPolicy(raw: unknown): ProcessExitPolicy {
	if (raw === undefined || raw === null) return {...DEFAULT_EXIT_POLICY};
	if (!isRecord(raw)) throw new Error('processes must be an object');
	const onExit = raw['onExit'] ?? 'ask';
	if (onExit !== 'ask' && onExit !== 'leave') throw new Error('processes.onExit must be "ask" or "leave"');
	let stages: Stage[] | undefined;
	if (raw['stages'] !== undefined) {
		const list = raw['stages'];
		if (!Array.isArray(list) || list.some(stage => !(STAGES as readonly unknown[]).includes(stage))) {
			throw new Error(`processes.stages must be a list of stages (${STAGES.join(', ')})`);
		}

		stages = list as Stage[];
	}

	const grace = raw['graceSeconds'] ?? DEFAULT_GRACE_MS / 1000;
	if (typeof grace !== 'number' || !Number.isFinite(grace) || grace < 0 || grace > 300) {
		throw new Error('processes.graceSeconds must be a number of seconds from 0 to 300');
	}

	return {onExit, stages, graceMs: Math.round(grace * 1000)};
}

/**
 * The policy as written in config.json (defaults when the file or the
 * section is missing). Read like the queue reads its `sync` section: a file
 * in the store's envelope through the store, a hand-written one as plain
 * JSON. A broken section is a CONFIG_INVALID error naming the field.
 */
export async function readExitPolicy(paths: WorkspacePaths, store: Store): Promise<ProcessExitPolicy> {
	const payload = await readConfigPayload(paths, async () => (await store.read(workspaceConfigSpec)).data);
	if (payload === undefined) return {...DEFAULT_EXIT_POLICY};
	try {
		return parseExitPolicy(configSection(payload, 'processes'));
	} catch (error) {
		throw new CwsError('CONFIG_INVALID', `${paths.config}: ${(error as Error).message}.`, {hint: 'Fix the "processes" section; until then cexit asks about every workspace process.'});
	}
}

const NAME = 'workspace processes';

/**
 * The cexit participant of the process pane: reads the policy when the
 * shutdown is planned (an edit takes effect without a restart), then lets
 * the core participant list, ask and stop. A broken policy is shown in the
 * plan and the default (ask) is used.
 */
export function exitParticipant(control: ProcessControl, workspace: {paths: WorkspacePaths; store: Store}): ShutdownParticipant {
	let current: ReturnType<typeof processShutdownParticipant> | undefined;
	return {
		name: NAME,
		async plan(context) {
			current = undefined;
			let policy = DEFAULT_EXIT_POLICY;
			let problem: string | undefined;
			try {
				policy = await readExitPolicy(workspace.paths, workspace.store);
			} catch (error) {
				problem = error instanceof CwsError && error.hint ? `${error.message} ${error.hint}` : (error as Error).message;
			}

			if (policy.onExit === 'leave') {
				return [{participant: NAME, title: 'Leave workspace processes running (config.json: processes.onExit is "leave")'}];
			}

			const stop: ShutdownPolicy = policy.stages ? {stop: 'stages', stages: policy.stages} : {stop: 'workspace'};
			current = processShutdownParticipant(control, {policy: stop, graceMs: policy.graceMs});
			// Command lines are the processes' own text: escaped before the dialog draws them.
			const steps: ShutdownStep[] = (await current.plan(context)).map(step => ({...step, title: printable(step.title), ...(step.details ? {details: step.details.map(printable)} : {})}));
			return problem ? [{participant: NAME, title: `config.json problem: ${problem}`}, ...steps] : steps;
		},
		async run(context) {
			// Without a plan (it failed or timed out) nothing was shown, so nothing is stopped.
			// The summary is printed to the terminal after the interface is gone: escaped too.
			return current ? (await current.run(context)).map(printable) : [];
		},
	};
}
