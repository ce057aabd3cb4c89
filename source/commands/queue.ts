import {CwsError, isCwsError} from '../core/errors.js';
import {cancelJob, currentTarget, readJob, readJobLog, retryJob, syncProject, type QueueSnapshot, type QueueWorkspace} from '../core/queue/index.js';
import {jobDetailLines, terminalSafe} from './queue-text.js';
import type {Command, CommandContext, Intent, PaneSnapshot} from './types.js';

/** Which jobs the queue pane lists: `f` steps through these. */
export const QUEUE_FILTERS = ['all', 'unfinished', 'problems', 'done'] as const;
export type QueueFilter = (typeof QUEUE_FILTERS)[number];

/** What each filter shows, in words (toasts, the pane's empty line). */
export const FILTER_LABELS: Record<QueueFilter, string> = {
	all: 'all jobs',
	unfinished: 'unfinished jobs (waiting, running, retrying)',
	problems: 'jobs that need attention (retrying, dead, conflict)',
	done: 'finished jobs (done, cancelled)',
};

/** Actions the queue pane's reducer understands. */
export type QueueAction =
	| {type: 'snapshot'; snapshot: QueueSnapshot}
	/** The clock moved (countdowns, elapsed times, spinner); `commands`: what this process's running jobs are doing. */
	| {type: 'tick'; now: number; commands?: Readonly<Record<string, string>>}
	| {type: 'move'; delta: number}
	| {type: 'edge'; to: 'first' | 'last'}
	/** Undefined: the next filter. */
	| {type: 'filter'; filter?: QueueFilter}
	| {type: 'select'; id: string};

const workspace = (ctx: CommandContext): QueueWorkspace => ({paths: ctx.services.paths, store: ctx.services.store});

type SelectedJob = {id: string; label: string; state: string; attempt: number; maxAttempts: number; cancelRequested: boolean};

/** The job selected in the queue pane, if any. */
function selectedJob(ctx: CommandContext): SelectedJob | undefined {
	const selection = ctx.panes.queue?.selection;
	if (selection?.kind !== 'job') return undefined;
	const data = selection.data ?? {};
	return {
		id: selection.id,
		label: terminalSafe(selection.label ?? selection.id),
		state: String(data['state']),
		attempt: Number(data['attempt'] ?? 0),
		maxAttempts: Number(data['maxAttempts'] ?? 0),
		cancelRequested: data['cancelRequested'] === true,
	};
}

const noJob = (ctx: CommandContext): string => ((ctx.panes.queue?.count ?? 0) === 0 ? 'no job listed (f changes the filter)' : 'no job selected');

// Reasons are short: the shell shows them after the command's title on one line.
function retryReason(ctx: CommandContext): string | undefined {
	const job = selectedJob(ctx);
	if (!job) return noJob(ctx);
	switch (job.state) {
		case 'running':
			return `it is running (attempt ${job.attempt}/${job.maxAttempts}); x cancels it`;
		case 'pending':
			return 'it is already waiting for a free worker';
		case 'done':
			return 'it is done; s on its board card syncs again';
		default:
			return undefined;
	}
}

function cancelReason(ctx: CommandContext): string | undefined {
	const job = selectedJob(ctx);
	if (!job) return noJob(ctx);
	if (job.state === 'running' && job.cancelRequested) return 'it is already being stopped';
	if (['done', 'dead', 'conflict', 'cancelled'].includes(job.state)) return `it is ${job.state}: nothing to cancel`;
	return undefined;
}

/**
 * The project a board selection names. The board's selection id may be a
 * card key ('stable/web'); `data.name`, when the board gives one, wins.
 */
export function projectOfSelection(selection: PaneSnapshot['selection']): string | undefined {
	if (!selection) return undefined;
	const name = selection.data?.['name'];
	if (typeof name === 'string' && name !== '') return name;
	const slash = selection.id.lastIndexOf('/');
	return slash >= 0 ? selection.id.slice(slash + 1) : selection.id;
}

/** Moves the queue pane's cursor to a job (found once the pane's next read lists it). */
function selectJob(id: string): Intent {
	const action: QueueAction = {type: 'select', id};
	return {type: 'pane', pane: 'queue', action};
}

/** Queues the sync jobs of one project and says which, or why there are none. */
async function sync(ctx: CommandContext, name: string, target?: string): Promise<Intent[]> {
	const shown = terminalSafe(name);
	try {
		const {results} = await syncProject(workspace(ctx), name, {reason: 'manual', ...(target === undefined ? {} : {target})});
		const parts = results.map(({job, created}) => `${terminalSafe(job.target.name)} [${job.id}]${created ? '' : ' already waiting'}`);
		const first = results[0]?.job.id;
		return [
			{type: 'toast', level: 'success', text: `sync queued: ${shown} → ${parts.join(', ')}`},
			...(first ? [selectJob(first)] : []),
		];
	} catch (error) {
		if (isCwsError(error) && error.code === 'NO_TARGETS') {
			return [{type: 'toast', level: 'warning', text: `no sync targets for ${shown}: configure them under "sync" in .cws/config.json (README: Sync configuration)`}];
		}

		throw error;
	}
}

const move = (id: string, title: string, keys: string[], action: QueueAction, hint?: string): Command => ({
	id,
	title,
	group: 'Sync queue',
	scope: 'queue',
	keys,
	...(hint ? {hint} : {}),
	run: () => ({type: 'pane', pane: 'queue', action}),
});

/** Commands of the sync queue pane (scope 'queue'), and the board's and command line's sync. */
export const queueCommands: Command[] = [
	move('queue.down', 'Select the next job', ['j', 'down'], {type: 'move', delta: 1}, 'move'),
	move('queue.up', 'Select the previous job', ['k', 'up'], {type: 'move', delta: -1}),
	move('queue.first', 'Select the newest job', ['home'], {type: 'edge', to: 'first'}),
	move('queue.last', 'Select the oldest job', ['end'], {type: 'edge', to: 'last'}),
	{
		id: 'queue.log',
		title: 'Show the selected job: state, error, commands run and their output',
		group: 'Sync queue',
		scope: 'queue',
		keys: ['enter', 'l'],
		names: ['job-log'],
		hint: 'log',
		disabledReason: ctx => (selectedJob(ctx) ? undefined : noJob(ctx)),
		async run(ctx) {
			const selected = selectedJob(ctx)!;
			const ws = workspace(ctx);
			const [job, log] = await Promise.all([readJob(ws, selected.id), readJobLog(ws, selected.id)]);
			return {type: 'show', title: `Job ${selected.label}`, lines: jobDetailLines(job, log, Date.now())};
		},
	},
	{
		id: 'queue.retry',
		title: 'Retry the selected job now',
		group: 'Sync queue',
		scope: 'queue',
		keys: ['r'],
		names: ['retry'],
		hint: 'retry',
		disabledReason: retryReason,
		async run(ctx) {
			const selected = selectedJob(ctx)!;
			const ws = workspace(ctx);
			const result = await retryJob(ws, selected.id, {refreshTarget: async job => currentTarget(ws, job)});
			return {type: 'toast', level: result.changed ? 'success' : 'info', text: terminalSafe(result.message)};
		},
	},
	{
		id: 'queue.cancel',
		title: 'Cancel the selected job',
		group: 'Sync queue',
		scope: 'queue',
		keys: ['x'],
		names: ['cancel'],
		hint: 'cancel',
		disabledReason: cancelReason,
		run(ctx) {
			const selected = selectedJob(ctx)!;
			return {
				type: 'confirm',
				title: `Cancel ${selected.label}?`,
				body: [
					selected.state === 'running'
						? 'It is running: its worker stops the command and marks the job cancelled.'
						: 'It will not run. r on it later queues it again.',
				],
				confirmLabel: 'cancel the job',
				async onConfirm() {
					const result = await cancelJob(workspace(ctx), selected.id);
					return {type: 'toast', level: 'success', text: terminalSafe(result.message)};
				},
			};
		},
	},
	{
		id: 'queue.filter',
		title: `Show other jobs: ${QUEUE_FILTERS.join(', ')} (:queue.filter <name>)`,
		group: 'Sync queue',
		scope: 'queue',
		keys: ['f'],
		hint: 'filter',
		disabledReason(ctx) {
			const wanted = ctx.args.trim();
			return wanted === '' || (QUEUE_FILTERS as readonly string[]).includes(wanted) ? undefined : `no filter '${terminalSafe(wanted)}': use ${QUEUE_FILTERS.join(', ')}`;
		},
		run(ctx) {
			// The pane's border names the filter in effect; a filter typed by name is also confirmed.
			const wanted = ctx.args.trim() as QueueFilter | '';
			if (wanted === '') return {type: 'pane', pane: 'queue', action: {type: 'filter'}};
			return [
				{type: 'pane', pane: 'queue', action: {type: 'filter', filter: wanted}},
				{type: 'toast', level: 'info', text: `showing ${FILTER_LABELS[wanted]}`},
			];
		},
	},
	{
		id: 'queue.sync-selected',
		title: 'Sync the selected project: queue a job for each of its targets',
		group: 'Sync queue',
		scope: 'board',
		keys: ['s'],
		hint: 'sync',
		disabledReason: ctx => (projectOfSelection(ctx.panes.board?.selection) ? undefined : 'no project selected'),
		run: async ctx => sync(ctx, projectOfSelection(ctx.panes.board?.selection)!),
	},
	{
		id: 'queue.sync',
		title: 'Sync a project by name: :sync <name> [target]',
		group: 'Sync queue',
		scope: 'global',
		keys: [],
		names: ['sync'],
		disabledReason: ctx =>
			ctx.args.trim() !== '' || projectOfSelection(ctx.panes.board?.selection) ? undefined : 'type :sync <project name> [target]',
		async run(ctx) {
			const [name, target, ...rest] = ctx.args.trim().split(/\s+/).filter(Boolean);
			if (rest.length > 0) throw new CwsError('USAGE', `:sync takes a project name and at most one target, not ${JSON.stringify(ctx.args.trim())}.`, {hint: 'Type :sync <name> [target].'});
			return sync(ctx, name ?? projectOfSelection(ctx.panes.board?.selection)!, target);
		},
	},
];
