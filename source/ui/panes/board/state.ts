import type {BoardAction} from '../../../commands/board.js';
import type {StageColumn} from '../../../commands/stage-listing.js';
import type {PaneSnapshot} from '../../../commands/types.js';

/** The stage board: four columns and a cursor. */
export type BoardState = {
	/** Undefined until the first listing arrives. */
	columns: StageColumn[] | undefined;
	column: number;
	/** Selected row per column, so moving between stages keeps each column's place. */
	rows: number[];
};

export function initialBoardState(): BoardState {
	return {columns: undefined, column: 0, rows: [0, 0, 0, 0]};
}

const clamp = (value: number, low: number, high: number): number => Math.max(low, Math.min(high, value));

/** Pure reducer of the stage board. */
export function reduceBoard(state: BoardState, action: BoardAction): BoardState {
	switch (action.type) {
		case 'loaded': {
			// The board polls; an unchanged listing must not cost a render.
			if (state.columns && JSON.stringify(state.columns) === JSON.stringify(action.columns)) return state;
			const rows = action.columns.map((column, index) => clamp(state.rows[index] ?? 0, 0, Math.max(0, column.projects.length - 1)));
			return {...state, columns: action.columns, rows};
		}

		case 'move-column': {
			const count = state.columns?.length ?? 4;
			const column = clamp(state.column + action.delta, 0, count - 1);
			return column === state.column ? state : {...state, column};
		}

		case 'move-row': {
			const length = state.columns?.[state.column]?.projects.length ?? 0;
			const current = state.rows[state.column] ?? 0;
			const row = clamp(current + action.delta, 0, Math.max(0, length - 1));
			if (row === current) return state;
			const rows = [...state.rows];
			rows[state.column] = row;
			return {...state, rows};
		}

		default:
			return state;
	}
}

/** The selected project, for commands. */
export function boardSnapshot(state: BoardState): PaneSnapshot {
	const column = state.columns?.[state.column];
	const name = column?.projects[state.rows[state.column] ?? 0];
	const count = state.columns?.reduce((sum, item) => sum + item.projects.length, 0) ?? 0;
	if (!column || name === undefined) return {count};
	return {count, selection: {kind: 'project', id: name, label: name, data: {stage: column.stage}}};
}
