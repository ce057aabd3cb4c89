import {isCwsError} from '../errors.js';
import type {Activity} from './activity.js';
import type {BoardWorkspace} from './context.js';
import type {GitState} from './git.js';
import type {BoardListing} from './listing.js';
import {BoardScanner, withDetails, type ScannerOptions} from './scanner.js';

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
	/** Time between refreshes; default 1000 ms (a change elsewhere shows within about a second). */
	intervalMs?: number;
	/** Cards outside the focus whose details are refreshed per tick, round robin; default 100. */
	backgroundBatch?: number;
};

/**
 * A live view of the board for the TUI (useSyncExternalStore-shaped:
 * subscribe + getSnapshot). Every tick re-lists the stages (cheap when
 * nothing changed: a few stats), then refreshes activity and git for the
 * focused cards (the ones on screen) and for a batch of the others, so
 * 10,000 projects never mean 10,000 git commands per second. The first
 * listing is published before any git command runs.
 */
export class BoardFeed {
	private readonly scanner: BoardScanner;
	private readonly listeners = new Set<() => void>();
	private snapshot: BoardSnapshot;
	private readonly activity = new Map<string, Activity>();
	private readonly git = new Map<string, GitState>();
	private focus: string[] = [];
	private cursor = 0;
	private timer: NodeJS.Timeout | undefined;
	private chain: Promise<void> = Promise.resolve();
	private queued: Promise<void> | undefined;
	private lastListing: BoardListing | undefined;
	private stopped = true;
	private readonly intervalMs: number;
	private readonly batch: number;
	private readonly now: () => number;

	constructor(ws: BoardWorkspace, options: BoardFeedOptions = {}) {
		this.scanner = new BoardScanner(ws, options);
		this.intervalMs = options.intervalMs ?? 1000;
		this.batch = options.backgroundBatch ?? 100;
		this.now = options.now ?? Date.now;
		this.snapshot = {version: 0, listing: {root: ws.paths.root, scannedAt: 0, cards: [], archived: [], missing: [], pending: null, problems: [], trashCount: 0}, refreshedAt: 0};
	}

	/** The current snapshot (same object until something changes). */
	readonly getSnapshot = (): BoardSnapshot => this.snapshot;

	/** Calls `listener` after each new snapshot; returns the unsubscribe function. */
	readonly subscribe = (listener: () => void): (() => void) => {
		this.listeners.add(listener);
		return () => {
			this.listeners.delete(listener);
		};
	};

	/** Starts refreshing every `intervalMs` (the first refresh at once). */
	start(): void {
		if (!this.stopped) {
			return;
		}

		this.stopped = false;
		void this.tick();
	}

	stop(): void {
		this.stopped = true;
		clearTimeout(this.timer);
		this.timer = undefined;
	}

	/** Cards (by key) whose details matter most: the ones on screen. */
	setFocus(keys: readonly string[]): void {
		this.focus = [...keys];
	}

	/**
	 * Refreshes now, e.g. right after this process moved a project, and
	 * resolves when the new snapshot is published. A refresh already
	 * running is followed by one more.
	 */
	refresh(): Promise<void> {
		// Callers that arrive while a refresh waits to start share it; one that
		// arrives after it started gets the next one, which sees its change.
		if (this.queued) {
			return this.queued;
		}

		const next = this.chain.then(async () => {
			this.queued = undefined;
			await this.refreshOnce();
		});
		this.queued = next;
		this.chain = next.catch(() => undefined);
		return next;
	}

	private async tick(): Promise<void> {
		await this.refresh();
		if (!this.stopped) {
			this.timer = setTimeout(() => {
				void this.tick();
			}, this.intervalMs);
			this.timer.unref();
		}
	}

	private async refreshOnce(): Promise<void> {
		try {
			const listing = await this.scanner.list();
			const keys = new Set(listing.cards.map(card => card.key));
			for (const map of [this.activity, this.git]) {
				for (const key of map.keys()) {
					if (!keys.has(key)) {
						map.delete(key);
					}
				}
			}

			const listChanged = listing !== this.lastListing;
			this.lastListing = listing;
			if (listChanged) {
				this.publish(listing);
			}

			const chosen = this.pick(listing);
			let changed = false;
			for (const [key, value] of await this.scanner.activity(chosen)) {
				const before = this.activity.get(key);
				if (!before || before.newestMs !== value.newestMs || before.files !== value.files) {
					this.activity.set(key, value);
					changed = true;
				}
			}

			if (changed) {
				this.publish(listing);
			}

			changed = false;
			for (const [key, value] of await this.scanner.git(chosen)) {
				if (JSON.stringify(this.git.get(key)) !== JSON.stringify(value)) {
					this.git.set(key, value);
					changed = true;
				}
			}

			if (changed || this.snapshot.error !== undefined) {
				this.publish(listing);
			}
		} catch (error) {
			// Keep showing the last good data and say what went wrong; the next tick retries.
			const message = isCwsError(error) && error.hint ? `${error.message} ${error.hint}` : (error instanceof Error ? error.message : String(error));
			this.snapshot = {...this.snapshot, version: this.snapshot.version + 1, error: message, refreshedAt: this.now()};
			this.emit();
		}
	}

	/** Focused cards first, then the next batch of the rest. */
	private pick(listing: BoardListing): BoardListing['cards'] {
		const byKey = new Map(listing.cards.map(card => [card.key, card]));
		const chosen = new Map<string, BoardListing['cards'][number]>();
		for (const key of this.focus) {
			const card = byKey.get(key);
			if (card) {
				chosen.set(key, card);
			}
		}

		const {cards} = listing;
		for (let taken = 0; taken < Math.min(this.batch, cards.length); taken++) {
			const card = cards[(this.cursor + taken) % cards.length]!;
			chosen.set(card.key, card);
		}

		this.cursor = cards.length === 0 ? 0 : (this.cursor + this.batch) % cards.length;
		return [...chosen.values()];
	}

	private publish(listing: BoardListing): void {
		const now = this.now();
		const cards = withDetails(listing.cards, {activity: this.activity, git: this.git, staleDays: this.scanner.boardConfig.sandboxStaleDays, now});
		this.snapshot = {version: this.snapshot.version + 1, listing: {...listing, cards}, refreshedAt: now};
		this.emit();
	}

	private emit(): void {
		for (const listener of this.listeners) {
			listener();
		}
	}
}
