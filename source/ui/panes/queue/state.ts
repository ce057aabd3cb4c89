import {QUEUE_FILTERS, type QueueAction, type QueueFilter} from '../../../commands/queue.js';
import type {PaneSnapshot} from '../../../commands/types.js';
import type {Job, JobState, QueueSnapshot} from '../../../core/queue/index.js';
import {untilRowsChange} from './clock.js';

/** The sync queue pane: the feed's latest snapshot, the clock, a cursor and a filter. */
export type QueueState = {
	/** Undefined until the queue has been read once. */
	snapshot: QueueSnapshot | undefined;
	/** The pane's clock (countdowns, elapsed times, spinner), advanced by 'tick'. */
	now: number;
	/** The selected job; kept across refreshes while it is listed. */
	selectedId: string | undefined;
	/** Where the selection was, for when its job leaves the list. */
	selectedIndex: number;
	filter: QueueFilter;
	/** The command each job this process runs is in right now (job id → command line). */
	commands: Readonly<Record<string, string>>;
};

/** Job states each filter lists; undefined lists every job. */
const FILTER_STATES: Record<QueueFilter, readonly JobState[] | undefined> = {
	all: undefined,
	unfinished: ['pending', 'running', 'failed'],
	problems: ['failed', 'dead', 'conflict'],
	done: ['done', 'cancelled'],
};

export function initialQueueState(): QueueState {
	return {snapshot: undefined, now: 0, selectedId: undefined, selectedIndex: 0, filter: 'all', commands: {}};
}

/** The jobs the pane lists, newest first (a job keeps its place as its state changes). */
export function visibleJobs(state: QueueState): readonly Job[] {
	const jobs = state.snapshot?.jobs ?? [];
	const states = FILTER_STATES[state.filter];
	return states ? jobs.filter(job => states.includes(job.state)) : jobs;
}

/** Index of the selected job in `jobs`: the selected id, else the last index, kept in range. */
export function selectedIndexIn(state: QueueState, jobs: readonly Job[]): number {
	const byId = state.selectedId === undefined ? -1 : jobs.findIndex(job => job.id === state.selectedId);
	if (byId >= 0) return byId;
	return Math.max(0, Math.min(state.selectedIndex, jobs.length - 1));
}

/** The time views and commands measure from: the clock, or the snapshot's load time before the first tick. */
export function paneNow(state: QueueState): number {
	return state.now > 0 ? state.now : (state.snapshot?.loadedAt ?? 0);
}

/** Jobs either side of the selection whose text a tick looks at: more than a pane shows. */
const CLOCK_WINDOW = 200;

/**
 * Whether a row that can be on screen reads differently at `now` than at the
 * pane's clock: a tick that changes no text keeps the state (and the screen)
 * as it is.
 */
function clockChangesRows(state: QueueState, now: number): boolean {
	const from = paneNow(state);
	if (now === from) return false;
	if (now < from || from === 0) return true;
	const jobs = visibleJobs(state);
	const selected = selectedIndexIn(state, jobs);
	const near = jobs.length <= CLOCK_WINDOW * 2 ? jobs : jobs.slice(Math.max(0, selected - CLOCK_WINDOW), selected + CLOCK_WINDOW);
	return now - from >= untilRowsChange(near, from);
}

function selectAt(state: QueueState, jobs: readonly Job[], index: number): QueueState {
	const clamped = Math.max(0, Math.min(index, jobs.length - 1));
	const id = jobs[clamped]?.id;
	if (id === state.selectedId && clamped === state.selectedIndex) return state;
	return {...state, selectedId: id, selectedIndex: clamped};
}

function sameCommands(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
	const keys = Object.keys(a);
	return keys.length === Object.keys(b).length && keys.every(key => a[key] === b[key]);
}

/** Pure reducer of the queue pane. */
export function reduceQueue(state: QueueState, action: QueueAction): QueueState {
	switch (action.type) {
		case 'snapshot': {
			if (action.snapshot === state.snapshot) return state;
			const next = {...state, snapshot: action.snapshot};
			// Keep the cursor on its job; when that job is gone, on the same row.
			const jobs = visibleJobs(next);
			const index = selectedIndexIn(next, jobs);
			return {...next, selectedId: jobs[index]?.id ?? state.selectedId, selectedIndex: index};
		}

		case 'tick': {
			const commands = action.commands ?? state.commands;
			const same = sameCommands(commands, state.commands);
			if (same && !clockChangesRows(state, action.now)) return state;
			return {...state, now: action.now, commands: same ? state.commands : commands};
		}

		case 'move': {
			const jobs = visibleJobs(state);
			return selectAt(state, jobs, selectedIndexIn(state, jobs) + action.delta);
		}

		case 'edge': {
			const jobs = visibleJobs(state);
			return selectAt(state, jobs, action.to === 'first' ? 0 : jobs.length - 1);
		}

		case 'filter': {
			const filter = action.filter ?? QUEUE_FILTERS[(QUEUE_FILTERS.indexOf(state.filter) + 1) % QUEUE_FILTERS.length]!;
			if (filter === state.filter) return state;
			const next = {...state, filter};
			const jobs = visibleJobs(next);
			const index = state.selectedId === undefined ? -1 : jobs.findIndex(job => job.id === state.selectedId);
			return index >= 0 ? {...next, selectedIndex: index} : selectAt({...next, selectedId: undefined}, jobs, 0);
		}

		case 'select': {
			if (action.id === state.selectedId) return state;
			const jobs = visibleJobs(state);
			const index = jobs.findIndex(job => job.id === action.id);
			// A job just queued may not be in the snapshot yet: the id is kept and found on the next one.
			return {...state, selectedId: action.id, selectedIndex: index >= 0 ? index : 0};
		}

		default:
			return state;
	}
}

/** The selected job as plain data, for the queue commands' disabled reasons and actions. */
export function queueSnapshot(state: QueueState): PaneSnapshot {
	const jobs = visibleJobs(state);
	const job = jobs[selectedIndexIn(state, jobs)];
	const total = state.snapshot?.jobs.length ?? 0;
	if (!job) return {count: jobs.length};
	return {
		count: jobs.length,
		selection: {
			kind: 'job',
			id: job.id,
			label: `${job.project} → ${job.target.name}`,
			data: {
				state: job.state,
				project: job.project,
				target: job.target.name,
				attempt: job.attempt,
				maxAttempts: job.maxAttempts,
				cancelRequested: job.cancelRequested === true,
				filter: state.filter,
				total,
			},
		},
	};
}
