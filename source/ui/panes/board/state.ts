import type {BoardAction, VisibleSink} from '../../../commands/board.js';
import type {PaneSnapshot} from '../../../commands/types.js';
import type {BoardListing} from '../../../core/board/index.js';
import type {QueueSnapshot} from '../../../core/queue/index.js';
import {buildColumns, columnLength, emptyColumns, indexOfKey, indexOfName, itemAt, keyAt, type BoardColumn} from './columns.js';

/** The selected row of one column, by key (what stays put) and index (where it was). */
export type Selection = {key: string | undefined; index: number};

/** The stage board: the live listing split into columns, a cursor per column, a filter. */
export type BoardState = {
	/** Undefined until the first listing arrives. */
	listing: BoardListing | undefined;
	/** The last refresh failed (the listing shown is the one before). */
	error: string | undefined;
	columns: readonly BoardColumn[];
	/** The focused column. */
	column: number;
	/** Selected row per column, so moving between stages keeps each column's place. */
	selection: readonly Selection[];
	/** Names containing this are shown; '' shows everything. */
	filter: string;
	/** Time the ages on cards are counted from (ms), set by refreshes and a clock. */
	now: number;
	queue: QueueSnapshot | undefined;
	/** Running processes per card key ('active/api'). */
	processes: ReadonlyMap<string, number>;
	/** Rows a page key moves: as many cards as fit, reported by the view. */
	page: number;
	/** Told which cards are on screen (their details are refreshed first). */
	onVisible: VisibleSink | undefined;
};

const noSelection = (): Selection[] => [0, 1, 2, 3].map(() => ({key: undefined, index: 0}));

export function initialBoardState(): BoardState {
	return {
		listing: undefined,
		error: undefined,
		columns: emptyColumns(),
		column: 0,
		selection: noSelection(),
		filter: '',
		now: 0,
		queue: undefined,
		processes: new Map(),
		page: 5,
		onVisible: undefined,
	};
}

const clamp = (value: number, low: number, high: number): number => Math.max(low, Math.min(high, value));

/** The selection of `column` after its rows changed: the same key if it is still there, else the same place. */
function resolve(column: BoardColumn, previous: Selection): Selection {
	if (previous.key !== undefined) {
		const found = indexOfKey(column, previous.key, previous.index);
		if (found >= 0) return found === previous.index ? previous : {key: previous.key, index: found};
	}

	const index = clamp(previous.index, 0, Math.max(0, columnLength(column) - 1));
	const key = keyAt(column, index);
	return key === previous.key && index === previous.index ? previous : {key, index};
}

/**
 * New columns (a refresh or a filter change): every column keeps its
 * selected project if it is still there. When the focused column's project
 * left it (promoted here, or moved by another process), the focus follows
 * it to the column it is in now.
 */
function withColumns(state: BoardState, columns: BoardColumn[]): BoardState {
	const selection = columns.map((column, index) => resolve(column, state.selection[index]!));
	let focused = state.column;
	const before = state.selection[state.column]!;
	const name = nameOf(before.key);
	if (name !== undefined && indexOfKey(columns[state.column]!, before.key!, before.index) < 0) {
		for (const [index, column] of columns.entries()) {
			if (index === state.column) continue;
			const found = indexOfName(column, name);
			if (found >= 0) {
				focused = index;
				selection[index] = {key: keyAt(column, found), index: found};
				break;
			}
		}
	}

	return {...state, columns, selection, column: focused};
}

/** The project name in a row key ('active/api' or 'missing:api'). */
function nameOf(key: string | undefined): string | undefined {
	if (key === undefined) return undefined;
	return key.startsWith('missing:') ? key.slice('missing:'.length) : key.slice(key.indexOf('/') + 1);
}

/** Moves the focused column's selection to `index` (clamped). */
function selectRow(state: BoardState, index: number): BoardState {
	const column = state.columns[state.column]!;
	const row = clamp(index, 0, Math.max(0, columnLength(column) - 1));
	const current = state.selection[state.column]!;
	if (row === current.index && current.key === keyAt(column, row)) return state;
	const selection = [...state.selection];
	selection[state.column] = {key: keyAt(column, row), index: row};
	return {...state, selection};
}

/** Pure reducer of the stage board. */
export function reduceBoard(state: BoardState, action: BoardAction): BoardState {
	switch (action.type) {
		case 'snapshot': {
			const {snapshot} = action;
			// Version 0 is the feed's empty start value: keep "reading…" until a real listing.
			if (snapshot.version === 0) return state;
			const now = Math.max(state.now, snapshot.refreshedAt);
			const error = snapshot.error;
			if (snapshot.listing === state.listing) return error === state.error && now === state.now ? state : {...state, error, now};
			return withColumns({...state, listing: snapshot.listing, error, now}, buildColumns(snapshot.listing, state.filter));
		}

		case 'filter': {
			const filter = action.text.trim().toLowerCase();
			if (filter === state.filter) return state;
			const next = {...state, filter};
			return state.listing ? withColumns(next, buildColumns(state.listing, filter)) : next;
		}

		case 'move-row':
			return selectRow(state, state.selection[state.column]!.index + action.delta);

		case 'page':
			return selectRow(state, state.selection[state.column]!.index + (action.delta * Math.max(1, state.page)));

		case 'edge':
			return selectRow(state, action.edge === 'top' ? 0 : columnLength(state.columns[state.column]!) - 1);

		case 'move-column': {
			const column = clamp(state.column + action.delta, 0, state.columns.length - 1);
			return column === state.column ? state : {...state, column};
		}

		case 'select': {
			for (const [index, column] of state.columns.entries()) {
				if (action.stage !== undefined && column.stage !== action.stage) continue;
				const row = indexOfName(column, action.name);
				if (row < 0) continue;
				const selection = [...state.selection];
				selection[index] = {key: keyAt(column, row), index: row};
				return {...state, column: index, selection};
			}

			return state;
		}

		case 'queue':
			return action.queue === state.queue ? state : {...state, queue: action.queue};

		case 'processes':
			return action.counts === state.processes ? state : {...state, processes: action.counts};

		case 'clock':
			return action.now <= state.now ? state : {...state, now: action.now};

		case 'attach':
			return action.onVisible === state.onVisible ? state : {...state, onVisible: action.onVisible};

		case 'viewport':
			return action.page === state.page ? state : {...state, page: action.page};

		default:
			return state;
	}
}

/** The selected project, for commands: name, stage, and whether its folder is missing. */
export function boardSnapshot(state: BoardState): PaneSnapshot {
	const count = state.listing?.cards.length ?? 0;
	const column = state.columns[state.column]!;
	const item = itemAt(column, state.selection[state.column]!.index);
	if (!item) return {count};
	return {count, selection: {kind: 'project', id: item.name, label: item.name, data: {stage: item.stage, key: item.key, missing: item.kind === 'missing'}}};
}
