import {isCwsError} from '../errors.js';
import {CardDetails} from './card-details.js';
import type {BoardWorkspace} from './context.js';
import type {BoardFeedOptions, BoardSnapshot} from './feed-types.js';
import type {BoardListing, ProjectCard} from './listing.js';
import {BoardScanner} from './scanner.js';
import {armBoard} from './watch-targets.js';
import {BoardWatch} from './watcher.js';

export type {BoardFeedOptions, BoardSnapshot} from './feed-types.js';

/**
 * full: everything (the first, a focus change, after an action, and each
 * tick while the listing is polled); safety: the timed re-check while
 * everything is watched (the listing each time, watched cards on screen
 * every COVERED_EVERY-th); light: what an event named, and cards on
 * screen that are not watched.
 */
type RefreshKind = 'full' | 'safety' | 'light';

/** A safety check re-validates the cards on screen that are watched only every this many times (30 s by default): a card's watch is seldom lost, and most of a check's stats are theirs. */
const COVERED_EVERY = 3;

const rank: Record<RefreshKind, number> = {light: 0, safety: 1, full: 2};

/**
 * A live view of the board for the TUI (useSyncExternalStore-shaped:
 * subscribe + getSnapshot). A full refresh re-lists the stages (cheap when
 * nothing changed: a few stats); the first one walks every project once
 * (in a thread, see BoardScanner.activity); later ones re-check the cards
 * on screen (their folders' mtimes, their git files) and a batch of the
 * others. `git status` runs for the cards on screen only, and again only
 * when their repository or content changed. A snapshot is published only
 * when something in it changed, and unchanged cards keep their objects.
 *
 * While started, the folders behind the listing and behind the cards on
 * screen are watched (see BoardWatch): an event re-reads the listing and
 * the cards it names (a light refresh), and a full refresh runs only every
 * `safetyMs`, so an idle board does next to nothing. Whatever is not
 * watched (no inotify room, a card with a big tree, a watch refused) is
 * polled every `intervalMs` as before: the listing by full refreshes, a
 * card on screen by light ones.
 */
export class BoardFeed {
	private readonly scanner: BoardScanner;
	private readonly listeners = new Set<() => void>();
	private snapshot: BoardSnapshot;
	private readonly details = new CardDetails();
	private focus: string[] = [];
	private cursor = 0;
	private timer: NodeJS.Timeout | undefined;
	private chain: Promise<void> = Promise.resolve();
	private queued: Promise<void> | undefined;
	private lastListing: BoardListing | undefined;
	/** The last listing's cards by key, built when first asked for (see byKey). */
	private keyed: Map<string, ProjectCard> | undefined;
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
	private queuedKind: RefreshKind = 'light';
	private readonly watch: BoardWatch | undefined;
	private readonly safetyMs: number;
	private readonly watchedTtlMs: number;
	/** The listing's folders are all watched: full refreshes can wait `safetyMs`. */
	private listingWatched = false;
	/** Cards on screen whose every folder is watched. */
	private covered = new Set<string>();
	private lastFull = Number.NEGATIVE_INFINITY;
	private safeties = 0;

	constructor(private readonly ws: BoardWorkspace, options: BoardFeedOptions = {}) {
		// Off screen, a walk is only redone when a folder or the newest file changed, or after 10 minutes.
		this.scanner = new BoardScanner(ws, {activityTtlMs: 600_000, ...options});
		this.intervalMs = options.intervalMs ?? 1000;
		this.batch = options.backgroundBatch ?? 20;
		this.focusTtlMs = options.focusTtlMs ?? 30_000;
		this.quietMs = options.quietMs ?? 10_000;
		this.quietEvery = Math.max(1, options.quietEvery ?? 5);
		this.now = options.now ?? Date.now;
		this.safetyMs = options.safetyMs ?? 30_000;
		this.watchedTtlMs = options.watchedTtlMs ?? 300_000;
		if (options.watch !== false) {
			this.watch = new BoardWatch(() => void this.request('light'), {watch: typeof options.watch === 'function' ? options.watch : undefined, maxWatches: options.maxWatches, now: this.now});
		}

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
		void this.request('full');
	}

	stop(): void {
		this.stopped = true;
		clearTimeout(this.timer);
		this.timer = undefined;
		// Closed watches open again at the next start's first refresh.
		this.watch?.arm([]);
		this.watch?.take();
		this.listingWatched = false;
		this.covered = new Set();
	}

	/** Folders watched now (for tests and diagnostics). */
	get watchCount(): number {
		return this.watch?.size ?? 0;
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
		return this.request('full');
	}

	private request(kind: RefreshKind): Promise<void> {
		// Callers that arrive while a refresh waits to start share it (a full one
		// if any asked for full); one that arrives after it started gets the next
		// one, which sees its change.
		if (this.queued) {
			if (rank[kind] > rank[this.queuedKind]) this.queuedKind = kind;
			return this.queued;
		}

		this.queuedKind = kind;
		const next = this.chain.then(async () => {
			const queuedKind = this.queuedKind;
			this.queued = undefined;
			try {
				await this.refreshOnce(queuedKind);
			} finally {
				this.schedule();
			}
		});
		this.queued = next;
		this.chain = next.catch(() => undefined);
		return next;
	}

	/**
	 * The next timed refresh: a full one `intervalMs` after the last (or
	 * `safetyMs` while the listing is watched), a light one for cards on
	 * screen that are not watched within `intervalMs`.
	 */
	private schedule(): void {
		clearTimeout(this.timer);
		this.timer = undefined;
		if (this.stopped) return;
		const fullAt = this.lastFull + (this.listingWatched ? this.safetyMs : this.intervalMs);
		const polled = this.focus.some(key => this.byKey.has(key) && !this.covered.has(key));
		const now = this.now();
		const wait = Math.max(0, polled ? Math.min(fullAt - now, this.intervalMs) : fullAt - now);
		this.timer = setTimeout(() => {
			this.timer = undefined;
			void this.request(this.now() < fullAt - 5 ? 'light' : (this.listingWatched ? 'safety' : 'full'));
		}, wait);
		this.timer.unref();
	}

	private async refreshOnce(kind: RefreshKind): Promise<void> {
		if (kind !== 'light') {
			this.lastFull = this.now();
		}

		const coveredToo = kind === 'full' || (kind === 'safety' && this.safeties++ % COVERED_EVERY === 0);

		try {
			const events = this.watch?.take();
			const listing = await this.scanner.list();
			const listingChanged = listing !== this.lastListing;
			if (listingChanged) {
				this.lastListing = listing;
				this.keyed = undefined;
				this.details.keepOnly(this.byKey);

				this.publish(listing);
			}

			// A card an event named is read again whatever its cache says.
			for (const key of events?.cards ?? []) {
				const card = this.byKey.get(key);
				if (card) this.scanner.invalidate(card.dir);
			}

			// A light refresh looks only at cards on screen that an event named or that are not watched.
			const focus = this.focus.flatMap(key => {
				const card = this.byKey.get(key);
				return card && (coveredToo || events?.cards.has(key) || !this.covered.has(key)) ? [card] : [];
			});
			const watched = focus.filter(card => this.covered.has(card.key));
			const polled = focus.filter(card => !this.covered.has(card.key));
			let changed = this.details.keepActivity(await this.scanner.activity(polled, {ttlMs: this.focusTtlMs}));
			changed = this.details.keepActivity(await this.scanner.activity(watched, {ttlMs: this.watchedTtlMs})) || changed;
			// Cards never walked (all of them on the first tick, a renamed or new one later).
			if (this.details.walked < listing.cards.length) {
				changed = this.details.keepActivity(await this.scanner.activity(listing.cards.filter(card => !this.details.hasActivity(card.key)))) || changed;
			}

			// Off screen nothing is drawn, so a quiet board re-checks those cards less
			// often (a card scrolled into view is re-checked at once by the focus walk):
			// an idle board then costs the stats of its cards on screen only, most ticks.
			// While the listing is watched a safety check comes every safetyMs and
			// takes one batch (a card scrolled into view is re-checked at once anyway).
			const quiet = this.now() - this.lastChange >= this.quietMs;
			if (kind === 'safety') {
				changed = this.details.keepActivity(await this.scanner.activity(this.background(listing, this.batch))) || changed;
			} else if (kind === 'full' && (!quiet || this.ticks++ % this.quietEvery === 0)) {
				changed = this.details.keepActivity(await this.scanner.activity(this.background(listing, this.batch))) || changed;
			}

			if (changed) {
				this.publish(listing);
			}

			const states = new Map([...await this.scanner.git(polled), ...await this.scanner.git(watched, {ttlMs: this.watchedTtlMs})]);
			if (this.details.keepGit(states) || this.snapshot.error !== undefined) {
				this.publish(listing);
			}

			// A safety check that looked at no watched card and saw the same listing
			// has nothing new to watch: a folder replaced under a watch shows as an
			// event of its parent, which is watched too.
			if (kind !== 'safety' || coveredToo || listingChanged) this.arm();
		} catch (error) {
			// Keep showing the last good data and say what went wrong; the next tick
			// retries, a second after, as if nothing were watched.
			this.listingWatched = false;
			this.covered = new Set();
			const message = isCwsError(error) && error.hint ? `${error.message} ${error.hint}` : (error instanceof Error ? error.message : String(error));
			this.snapshot = {...this.snapshot, version: this.snapshot.version + 1, error: message, refreshedAt: this.now()};
			this.emit();
		}
	}

	/**
	 * The last listing's cards by key. Built on first use rather than with
	 * each new listing: the first listing of a big workspace is published
	 * (and drawn) before anything looks a card up.
	 */
	private get byKey(): Map<string, ProjectCard> {
		if (this.keyed === undefined) {
			this.keyed = new Map();
			for (const card of this.lastListing?.cards ?? []) this.keyed.set(card.key, card);
		}

		return this.keyed;
	}

	/**
	 * Watches the listing's folders and those of the cards on screen (the
	 * ones a card needs first, so a limit leaves whole cards unwatched), and
	 * notes which are fully watched.
	 */
	private arm(): void {
		if (!this.watch || this.stopped) return;
		const cards = this.focus.flatMap(key => this.byKey.get(key) ?? []);
		({listingWatched: this.listingWatched, covered: this.covered} = armBoard(this.watch, this.ws.paths, cards, this.scanner));
	}

	/** The next batch of cards, round robin, whose cached activity is re-checked this tick. */
	private background(listing: BoardListing, size: number): ProjectCard[] {
		const {cards} = listing;
		const chosen: ProjectCard[] = [];
		for (let taken = 0; taken < Math.min(size, cards.length); taken++) {
			chosen.push(cards[(this.cursor + taken) % cards.length]!);
		}

		this.cursor = cards.length === 0 ? 0 : (this.cursor + size) % cards.length;
		return chosen;
	}

	private publish(listing: BoardListing): void {
		const now = this.now();
		this.lastChange = now;
		const cards = this.details.cards(listing, this.scanner.boardConfig.sandboxStaleDays, now);
		this.snapshot = {version: this.snapshot.version + 1, listing: {...listing, cards}, refreshedAt: now};
		this.emit();
	}

	private emit(): void {
		for (const listener of this.listeners) {
			listener();
		}
	}
}
