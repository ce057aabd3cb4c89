import type {BoardListing} from './listing.js';
import type {ScannerOptions} from './scanner.js';
import type {WatchFactory} from './watcher.js';

/** What the board pane renders; a new object whenever anything in it changed. */
export type BoardSnapshot = {
	/** Increments with every new snapshot. */
	version: number;
	/** Cards carry activity, staleness and git state as far as refreshed. */
	listing: BoardListing;
	/** When the last refresh finished (ms). */
	refreshedAt: number;
	/** The last refresh failed with this message (the previous data is kept). */
	error?: string;
};

export type BoardFeedOptions = ScannerOptions & {
	/** Time between refreshes of what is not watched; default 1000 ms (a change elsewhere shows within about a second). */
	intervalMs?: number;
	/** Cards off screen whose cached activity is re-checked per tick, round robin; default 20 (a card scrolled into view is re-checked at once anyway). */
	backgroundBatch?: number;
	/** A walk of a card on screen is redone after this long even if nothing seems changed (in-place edits); default 30 s. */
	focusTtlMs?: number;
	/** Once nothing changed and the focus stayed put for `quietMs` (default 10 s), the off-screen batch runs only every `quietEvery`-th tick (default 5); cards on screen keep the full cadence. */
	quietMs?: number;
	quietEvery?: number;
	/**
	 * Watch what the board shows (fs.watch) while started, and refresh only
	 * on a change (default true; a factory replaces fs.watch in tests).
	 * Whatever cannot be watched keeps the `intervalMs` polling.
	 */
	watch?: boolean | WatchFactory;
	/** While watched, the listing and a batch of cards off screen are still re-checked this often, the watched cards on screen every third time, for a watch lost without a word (inotify loses events only when its queue overflows; each check of an idle board costs tens of ms of CPU); default 30 s. */
	safetyMs?: number;
	/** Cards on screen whose every folder is watched are re-walked and re-asked to git after this long; default 5 min. */
	watchedTtlMs?: number;
	/** Most folders watched at once; default 512. */
	maxWatches?: number;
};
