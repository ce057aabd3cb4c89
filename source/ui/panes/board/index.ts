import type {BoardAction} from '../../../commands/board.js';
import {escapeControl} from '../../../commands/board-text.js';
import {formatAge, type BoardSnapshot} from '../../../core/board/index.js';
import {formatAge as formatSyncAge, type QueueSnapshot} from '../../../core/queue/index.js';
import {boardFeedFor} from '../../shared/board-feed.js';
import {processFeedFor} from '../../shared/process-feed.js';
import {queueFeedFor} from '../../shared/queue-feed.js';
import type {PaneDefinition} from '../types.js';
import {boardSnapshot, initialBoardState, reduceBoard, type BoardState} from './state.js';
import {BoardView} from './view.js';
import {ownValue} from '../../../core/own-key.js';

/** Ages on cards ("5m") move on even when nothing else changes: looked at this often, redrawn only when one reads differently. */
const CLOCK_MS = 30_000;
/** Scrolling settles this long before the cards now on screen are refreshed out of turn. */
const FOCUS_SETTLE_MS = 300;

/**
 * Every text of the cards on screen that depends on the clock (the age of
 * the last change, of the last sync), as drawn at `now`: equal texts at two
 * instants mean a redraw would draw the same board.
 */
export function clockText(keys: readonly string[], board: BoardSnapshot, queue: QueueSnapshot | undefined, now: number): string {
	const parts: string[] = [];
	const wanted = new Set(keys);
	for (const card of board.listing.cards) {
		if (!wanted.has(card.key)) continue;
		const synced = queue ? ownValue(queue.stats.lastSync, card.name) : undefined;
		parts.push(`${card.key}|${card.activity ? formatAge(card.activity.newestMs, now) : ''}|${synced ? formatSyncAge(Math.max(0, now - synced.at)) : ''}`);
	}

	return parts.join('\n');
}

function summary(state: BoardState): string | undefined {
	if (!state.listing) return undefined;
	const count = state.listing.cards.length;
	const parts = [`${count} project${count === 1 ? '' : 's'}`];
	if (state.listing.missing.length > 0) parts.push(`${state.listing.missing.length} missing`);
	if (state.filter) parts.push(`filter "${escapeControl(state.filter)}": ${state.columns.reduce((sum, column) => sum + column.cards.length + column.missing.length, 0)}`);
	return parts.join(' · ');
}

export const boardPane: PaneDefinition<BoardState, BoardAction> = {
	id: 'board',
	title: 'Stage board',
	initialState: initialBoardState,
	reduce: reduceBoard,
	snapshot: boardSnapshot,
	summary,
	View: BoardView,
	/**
	 * Feeds the board from the shared live feed (stage folders, activity,
	 * git), the queue (sync badges) and the process listing (counts), and
	 * tells the feed which cards are on screen so theirs are refreshed first.
	 */
	start(services, dispatch) {
		const feed = boardFeedFor(services);
		const queue = queueFeedFor(services);
		const processes = processFeedFor(services);
		let shown = '';
		let visible: readonly string[] = [];
		let settle: NodeJS.Timeout | undefined;
		let page = 0;
		dispatch({
			type: 'attach',
			onVisible(keys, rows) {
				if (rows !== page) {
					page = rows;
					dispatch({type: 'viewport', page: rows});
				}

				const joined = keys.join('\n');
				if (joined === shown) return;
				shown = joined;
				visible = keys;
				feed.setFocus(keys);
				// Cards scrolled into view get their git state without waiting for the next tick.
				clearTimeout(settle);
				settle = setTimeout(() => void feed.refresh(), FOCUS_SETTLE_MS);
				settle.unref();
			},
		});
		const stops = [
			feed.subscribe(() => dispatch({type: 'snapshot', snapshot: feed.getSnapshot()})),
			queue.subscribe(() => dispatch({type: 'queue', queue: queue.getSnapshot()})),
			processes.subscribe(() => dispatch({type: 'processes', counts: processes.getProjectCounts()})),
		];
		dispatch({type: 'snapshot', snapshot: feed.getSnapshot()});
		feed.start();
		// The board was last drawn at this time (the reducer keeps the later of the clock's and the snapshot's).
		let drawnAt = 0;
		const clock = setInterval(() => {
			const now = Date.now();
			const snapshot = feed.getSnapshot();
			const queueSnapshot = queue.getSnapshot();
			const at = Math.max(drawnAt, snapshot.refreshedAt);
			// A redraw of an idle board costs tens of ms; most ticks would draw the same ages.
			if (at > 0 && clockText(visible, snapshot, queueSnapshot, at) === clockText(visible, snapshot, queueSnapshot, now)) return;
			drawnAt = now;
			dispatch({type: 'clock', now});
		}, CLOCK_MS);
		clock.unref();
		return () => {
			for (const stop of stops) stop();
			feed.stop();
			clearInterval(clock);
			clearTimeout(settle);
			dispatch({type: 'attach', onVisible: undefined});
		};
	},
};
