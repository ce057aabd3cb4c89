import type {BoardAction} from '../../../commands/board.js';
import {readStageColumns} from '../../../commands/stage-listing.js';
import type {PaneDefinition} from '../types.js';
import {boardSnapshot, initialBoardState, reduceBoard, type BoardState} from './state.js';
import {BoardView} from './view.js';

/** How often the stage folders are re-read while the interface runs. */
const POLL_MS = 2000;

export const boardPane: PaneDefinition<BoardState, BoardAction> = {
	id: 'board',
	title: 'Stage board',
	initialState: initialBoardState,
	reduce: reduceBoard,
	snapshot: boardSnapshot,
	summary: state => {
		const count = state.columns?.reduce((sum, column) => sum + column.projects.length, 0);
		return count === undefined ? undefined : `${count} project${count === 1 ? '' : 's'}`;
	},
	View: BoardView,
	start(services, dispatch) {
		let stopped = false;
		const load = async () => {
			const columns = await readStageColumns(services.paths);
			if (!stopped) dispatch({type: 'loaded', columns});
		};

		void load();
		const timer = setInterval(() => void load(), POLL_MS);
		timer.unref();
		return () => {
			stopped = true;
			clearInterval(timer);
		};
	},
};
