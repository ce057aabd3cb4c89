import {isCwsError} from '../errors.js';
import type {Activity} from './activity.js';
import type {BoardWorkspace} from './context.js';
import type {GitState} from './git.js';
import type {BoardListing, ProjectCard} from './listing.js';
import {BoardScanner, isStale, withDetail, type ScannerOptions} from './scanner.js';

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
	/** Cards off screen whose cached activity is re-checked per tick, round robin; default 20 (a card scrolled into view is re-checked at once anyway). */
	backgroundBatch?: number;
	/** A walk of a card on screen is redone after this long even if nothing seems changed (in-place edits); default 30 s. */
	focusTtlMs?: number;
	/** Once nothing changed and the focus stayed put for `quietMs` (default 10 s), the off-screen batch runs only every `quietEvery`-th tick (default 5); cards on screen keep the full cadence. */
	quietMs?: number;
	quietEvery?: number;
};

/** A published card and what it was made from, so an unchanged card keeps its object. */
type Detailed = {base: ProjectCard; activity: Activity | undefined; git: GitState | undefined; stale: boolean | undefined; card: ProjectCard};

/**
 * A live view of the board for the TUI (useSyncExternalStore-shaped:
 * subscribe + getSnapshot). Every tick re-lists the stages (cheap when
 * nothing changed: a few stats). The first tick then walks every project
 * once (in a thread, see BoardScanner.activity); later ticks re-check the
 * cards on screen (their folders' mtimes, their git files) and a batch of
 * the others, so an idle board of 10,000 projects costs a few hundred stats
 * a second. `git status` runs for the cards on screen only, and again only
 * when their repository or content changed. A snapshot is published only
 * when something in it changed, and unchanged cards keep their objects.
 */
export class BoardFeed {
	private readonly scanner: BoardScanner;
	private readonly listeners = new Set<() => void>();
	private snapshot: BoardSnapshot;
	private readonly activity = new Map<string, Activity>();
	private readonly git = new Map<string, GitState>();
	private readonly detailed = new Map<string, Detailed>();
	private focus: string[] = [];
	private cursor = 0;
	private timer: NodeJS.Timeout | undefined;
	private chain: Promise<void> = Promise.resolve();
	private queued: Promise<void> | undefined;
	private lastListing: BoardListing | undefined;
	private byKey = new Map<string, ProjectCard>();
	private stopped = true;
	private readonly intervalMs: number;
	private readonly batch: number;
	private readonly focusTtlMs: number;
	private readonly quietMs: number;
	private readonly quietEvery: number;
	private readonly now: () => number;
	/** When something last changed (a card, the listing, the focus): the board is busy until quietMs after. */
	private lastChange = Number.NEGATIVE_INFINITY;
	private ticks = 0;

	constructor(ws: BoardWorkspace, options: BoardFeedOptions = {}) {
		// Off screen, a walk is only redone when a folder or the newest file changed, or after 10 minutes.
		this.scanner = new BoardScanner(ws, {activityTtlMs: 600_000, ...options});
		this.intervalMs = options.intervalMs ?? 1000;
		this.batch = options.backgroundBatch ?? 20;
		this.focusTtlMs = options.focusTtlMs ?? 30_000;
		this.quietMs = options.quietMs ?? 10_000;
		this.quietEvery = Math.max(1, options.quietEvery ?? 5);
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
		if (keys.length !== this.focus.length || keys.some((key, index) => key !== this.focus[index])) {
			this.lastChange = this.now();
		}

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
			if (listing !== this.lastListing) {
				this.lastListing = listing;
				this.byKey = new Map(listing.cards.map(card => [card.key, card]));
				for (const map of [this.activity, this.git, this.detailed]) {
					for (const key of map.keys()) {
						if (!this.byKey.has(key)) {
							map.delete(key);
						}
					}
				}

				this.publish(listing);
			}

			const focus = this.focus.flatMap(key => this.byKey.get(key) ?? []);
			let changed = this.keepActivity(await this.scanner.activity(focus, {ttlMs: this.focusTtlMs}));
			// Cards never walked (all of them on the first tick, a renamed or new one later).
			if (this.activity.size < listing.cards.length) {
				changed = this.keepActivity(await this.scanner.activity(listing.cards.filter(card => !this.activity.has(card.key)))) || changed;
			}

			// Off screen nothing is drawn, so a quiet board re-checks those cards less
			// often (a card scrolled into view is re-checked at once by the focus walk):
			// an idle board then costs the stats of its cards on screen only, most ticks.
			const quiet = this.now() - this.lastChange >= this.quietMs;
			if (!quiet || this.ticks++ % this.quietEvery === 0) {
				changed = this.keepActivity(await this.scanner.activity(this.background(listing))) || changed;
			}

			if (changed) {
				this.publish(listing);
			}

			changed = false;
			for (const [key, value] of await this.scanner.git(focus)) {
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

	/** Keeps newly read activity; whether any card's changed. */
	private keepActivity(found: Map<string, Activity>): boolean {
		let changed = false;
		for (const [key, value] of found) {
			const before = this.activity.get(key);
			if (!before || before.newestMs !== value.newestMs || before.files !== value.files || before.newestPath !== value.newestPath) {
				this.activity.set(key, value);
				changed = true;
			}
		}

		return changed;
	}

	/** The next batch of cards, round robin, whose cached activity is re-checked this tick. */
	private background(listing: BoardListing): ProjectCard[] {
		const {cards} = listing;
		const chosen: ProjectCard[] = [];
		for (let taken = 0; taken < Math.min(this.batch, cards.length); taken++) {
			chosen.push(cards[(this.cursor + taken) % cards.length]!);
		}

		this.cursor = cards.length === 0 ? 0 : (this.cursor + this.batch) % cards.length;
		return chosen;
	}

	private publish(listing: BoardListing): void {
		const now = this.now();
		this.lastChange = now;
		const staleDays = this.scanner.boardConfig.sandboxStaleDays;
		const cards = listing.cards.map(base => {
			const activity = this.activity.get(base.key);
			const git = this.git.get(base.key);
			const stale = isStale(base, activity, staleDays, now);
			const before = this.detailed.get(base.key);
			if (before && before.base === base && before.activity === activity && before.git === git && before.stale === stale) {
				return before.card;
			}

			const card = withDetail(base, activity, git, staleDays, now);
			this.detailed.set(base.key, {base, activity, git, stale, card});
			return card;
		});
		this.snapshot = {version: this.snapshot.version + 1, listing: {...listing, cards}, refreshedAt: now};
		this.emit();
	}

	private emit(): void {
		for (const listener of this.listeners) {
			listener();
		}
	}
}
