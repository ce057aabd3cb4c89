import type {PaneSnapshot} from '../../../commands/types.js';
import type {ProcessEntry} from '../../../core/processes/index.js';
import type {ProcessFeedScope, ProcessFeedSnapshot} from '../../shared/process-feed.js';
import {printable} from './text.js';

/** Orders the list can take; the sort key cycles through them in this order. */
export const PROCESS_SORTS = ['cpu', 'memory', 'age', 'pid'] as const;
export type ProcessSort = (typeof PROCESS_SORTS)[number];

/** How each order is named in the pane's border and in messages. */
export const SORT_LABELS: Record<ProcessSort, string> = {cpu: 'CPU', memory: 'memory', age: 'newest', pid: 'pid'};

/** The process pane: the latest listing, how it is ordered and filtered, and the selection. */
export type ProcessesState = {
	status: 'loading' | 'ready';
	scope: ProcessFeedScope;
	/** The latest listing, as the feed delivered it. */
	entries: readonly ProcessEntry[];
	/** When `entries` were read; ages are shown relative to it. */
	takenAt: number;
	error: string | undefined;
	sort: ProcessSort;
	/** Text the list is filtered by ('' = none). */
	filter: string;
	/** The rows on screen: `entries` filtered and sorted, or the rows held while frozen. */
	rows: readonly ProcessEntry[];
	/** When the shown rows were read. */
	rowsAt: number;
	selected: number;
	/** pid of the selected row: the selection follows it across refreshes and re-sorts. */
	selectedPid: number | undefined;
	/**
	 * While a confirmation about the selection is open (and its action runs)
	 * the rows hold still: new listings are kept in `entries` but not shown,
	 * so nothing moves under the cursor.
	 */
	frozen: boolean;
};

/** What the process pane's reducer understands. */
export type ProcessesAction =
	| {type: 'listing'; snapshot: ProcessFeedSnapshot}
	| {type: 'move'; delta: number}
	| {type: 'edge'; to: 'first' | 'last'}
	/** Sets the order; without `sort`, the next one in PROCESS_SORTS. */
	| {type: 'sort'; sort?: ProcessSort}
	| {type: 'filter'; text: string}
	| {type: 'freeze'}
	| {type: 'thaw'};

export function initialProcessesState(): ProcessesState {
	return {
		status: 'loading', scope: 'workspace', entries: [], takenAt: 0, error: undefined, sort: 'cpu', filter: '',
		rows: [], rowsAt: 0, selected: 0, selectedPid: undefined, frozen: false,
	};
}

const byPid = (a: ProcessEntry, b: ProcessEntry): number => a.pid - b.pid;

const comparators: Record<ProcessSort, (a: ProcessEntry, b: ProcessEntry) => number> = {
	cpu: (a, b) => b.cpuPercent - a.cpuPercent || byPid(a, b),
	memory: (a, b) => b.rssBytes - a.rssBytes || byPid(a, b),
	age: (a, b) => b.startedAt - a.startedAt || byPid(a, b),
	pid: byPid,
};

/** Whether `entry` matches the filter text: pid, name, user, project or command line, ignoring case. */
export function matchesFilter(entry: ProcessEntry, filter: string): boolean {
	const needle = filter.trim().toLowerCase();
	if (needle === '') return true;
	return [String(entry.pid), entry.name, entry.user, entry.project ?? '', entry.command].some(field => field.toLowerCase().includes(needle));
}

/** `entries` as the pane lists them. */
export function visibleRows(entries: readonly ProcessEntry[], sort: ProcessSort, filter: string): ProcessEntry[] {
	return entries.filter(entry => matchesFilter(entry, filter)).sort(comparators[sort]);
}

const clamp = (value: number, low: number, high: number): number => Math.max(low, Math.min(high, value));

/**
 * New rows with the selection kept on the same pid; when that process is
 * gone (or filtered out) the row at the same place is selected instead.
 */
function withRows(state: ProcessesState, rows: readonly ProcessEntry[], rowsAt: number): ProcessesState {
	const found = state.selectedPid === undefined ? -1 : rows.findIndex(entry => entry.pid === state.selectedPid);
	const selected = found >= 0 ? found : clamp(state.selected, 0, Math.max(0, rows.length - 1));
	return {...state, rows, rowsAt, selected, selectedPid: rows[selected]?.pid};
}

const relist = (state: ProcessesState): ProcessesState => withRows(state, visibleRows(state.entries, state.sort, state.filter), state.takenAt);

/** Pure reducer of the process pane. */
export function reduceProcesses(state: ProcessesState, action: ProcessesAction): ProcessesState {
	switch (action.type) {
		case 'listing': {
			const {snapshot} = action;
			if (snapshot.entries === state.entries && snapshot.scope === state.scope && snapshot.error === state.error && snapshot.status === state.status) return state;
			const next: ProcessesState = {...state, status: snapshot.status, scope: snapshot.scope, entries: snapshot.entries, takenAt: snapshot.takenAt, error: snapshot.error};
			return state.frozen ? next : relist(next);
		}

		case 'move': {
			const selected = clamp(state.selected + action.delta, 0, Math.max(0, state.rows.length - 1));
			return selected === state.selected ? state : {...state, selected, selectedPid: state.rows[selected]?.pid};
		}

		case 'edge': {
			const selected = action.to === 'first' ? 0 : Math.max(0, state.rows.length - 1);
			return selected === state.selected ? state : {...state, selected, selectedPid: state.rows[selected]?.pid};
		}

		case 'sort': {
			const sort = action.sort ?? PROCESS_SORTS[(PROCESS_SORTS.indexOf(state.sort) + 1) % PROCESS_SORTS.length]!;
			return relist({...state, sort, frozen: false});
		}

		case 'filter':
			return relist({...state, filter: action.text.trim(), frozen: false});
		case 'freeze':
			return state.frozen ? state : {...state, frozen: true};
		case 'thaw':
			return state.frozen ? relist({...state, frozen: false}) : state;
		default:
			return state;
	}
}

/** The selected process, for commands: `data.entry` is the whole listed entry. */
export function processesSnapshot(state: ProcessesState): PaneSnapshot {
	const entry = state.rows[state.selected];
	const count = state.rows.length;
	if (!entry) return {count};
	return {count, selection: {kind: 'process', id: String(entry.pid), label: entry.name, data: {entry}}};
}

/** The border's summary: how many, which scope, which order, which filter. */
export function processesSummary(state: ProcessesState): string | undefined {
	if (state.status === 'loading') return undefined;
	const scope = state.scope === 'workspace' ? 'workspace' : 'all mine';
	const filter = state.filter === '' ? '' : ` · /${printable(state.filter)}`;
	return `${state.rows.length} ${scope} · ${SORT_LABELS[state.sort]}${filter}`;
}
