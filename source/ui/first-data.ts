import type {ShellServices} from '../commands/types.js';
import {boardFeedFor} from './shared/board-feed.js';
import {processFeedFor} from './shared/process-feed.js';
import {queueFeedFor} from './shared/queue-feed.js';

/**
 * How long the first frame waits for the panes' first data. Each frame Ink
 * draws costs tens of milliseconds while the code is still cold, so drawing
 * a placeholder and then the cards costs more than waiting for the cards.
 * A workspace slower than this (a big one on a network disk) gets its shell
 * drawn first and the cards when they come.
 */
export const FIRST_DATA_WAIT_MS = 400;

/** A source of data the first frame shows: whether it has arrived, and a way to hear when it does. */
type Source = {ready(): boolean; subscribe(listener: () => void): () => void};

/** The feeds the main screen shows at start: the board listing, the queue, the process counts. */
export function firstDataSources(services: ShellServices): Source[] {
	const board = boardFeedFor(services);
	const queue = queueFeedFor(services);
	const processes = processFeedFor(services);
	return [
		// The first publish is the listing (or the error it failed with).
		{ready: () => board.getSnapshot().version > 0, subscribe: board.subscribe},
		{ready: () => queue.getSnapshot().loadedAt > 0 || queue.getSnapshot().error !== undefined, subscribe: listener => queue.subscribe(listener)},
		{ready: () => processes.getSnapshot().status === 'ready', subscribe: listener => processes.subscribe(listener)},
	];
}

/**
 * Resolves once every source has its first data, or after `timeoutMs`,
 * whichever comes first. Never rejects: a feed that fails reports its error
 * in its own snapshot, which counts as arrived.
 */
export async function untilReady(sources: readonly Source[], timeoutMs: number): Promise<void> {
	if (sources.every(source => source.ready())) return;
	await new Promise<void>(resolve => {
		const stops: Array<() => void> = [];
		const done = () => {
			clearTimeout(timer);
			for (const stop of stops) stop();
			resolve();
		};

		const timer = setTimeout(done, timeoutMs);
		const check = () => {
			if (sources.every(source => source.ready())) done();
		};

		for (const source of sources) stops.push(source.subscribe(check));
		check();
	});
}
