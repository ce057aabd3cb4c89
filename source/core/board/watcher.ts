import fsSync, {type FSWatcher} from 'node:fs';
import {errnoCode} from '../errors.js';

/** A folder the board shows something of, to be told when it changes. */
export type WatchTarget = {
	dir: string;
	/** The card (key) whose folder or repository this is; undefined for the listing (stage folders, .cws). */
	card?: string;
	/** Only these entry names matter (others are ignored); undefined: every change. */
	names?: readonly string[];
};

/** What changed since the last take(): the listing, and cards by key. */
export type WatchChange = {listing: boolean; cards: Set<string>};

/** fs.watch's shape, injectable so a test can make watches fail or get lost. */
export type WatchFactory = (dir: string, listener: (event: string, filename: string | null) => void) => FSWatcher;

export type BoardWatchOptions = {
	watch?: WatchFactory;
	/** Watches held at most (inotify's per-user limit is shared with every other program); default 512. */
	maxWatches?: number;
	/** A burst of events within this many ms is reported once; default 80. */
	settleMs?: number;
	/** After the system refused a watch for lack of room (ENOSPC, EMFILE), no new watch is tried for this long; default 30 s. */
	retryMs?: number;
	now?: () => number;
};

type Armed = {watcher: FSWatcher; ino: number; card: string | undefined; names: readonly string[] | undefined};

const realWatch: WatchFactory = (dir, listener) => fsSync.watch(dir, {persistent: false}, (event, filename) => {
	listener(event, filename ?? null);
});

/** Errors that say the system has no room for another watch: the board then polls. */
const LIMIT_CODES = new Set(['ENOSPC', 'EMFILE', 'ENFILE', 'ENOMEM']);

/**
 * The folders behind what the board shows, watched with fs.watch (inotify
 * on Linux), so that an idle board does nothing until something it shows
 * changes. arm() is given the wanted folders after every refresh and keeps,
 * opens or closes watches to match; a folder replaced since it was watched
 * (another inode at the same path) is watched again. An event marks the
 * listing or a card changed and calls `onChange` once per burst. A watch
 * can be refused (the per-user limit) or lost without a word (an event
 * queue overflow, a network file system): arm() says which folders are
 * watched, and the caller polls the others and re-checks everything now
 * and then.
 */
export class BoardWatch {
	private readonly armed = new Map<string, Armed>();
	private pending: WatchChange = {listing: false, cards: new Set()};
	private settle: NodeJS.Timeout | undefined;
	private refusedAt = Number.NEGATIVE_INFINITY;
	private closed = false;
	private readonly watch: WatchFactory;
	private readonly max: number;
	private readonly settleMs: number;
	private readonly retryMs: number;
	private readonly now: () => number;

	constructor(private readonly onChange: () => void, options: BoardWatchOptions = {}) {
		this.watch = options.watch ?? realWatch;
		this.max = options.maxWatches ?? 512;
		this.settleMs = options.settleMs ?? 80;
		this.retryMs = options.retryMs ?? 30_000;
		this.now = options.now ?? Date.now;
	}

	/** How many folders are watched now. */
	get size(): number {
		return this.armed.size;
	}

	/**
	 * Watches exactly `targets` (first ones first, up to the limit) and
	 * returns the folders that are watched; a folder that is missing, not a
	 * folder, or could not be watched is left out.
	 */
	arm(targets: readonly WatchTarget[]): Set<string> {
		const watched = new Set<string>();
		if (this.closed) return watched;
		const wanted = new Map<string, WatchTarget>();
		for (const target of targets) if (!wanted.has(target.dir)) wanted.set(target.dir, target);
		for (const [dir, entry] of this.armed) {
			if (!wanted.has(dir)) this.drop(dir, entry);
		}

		for (const [dir, target] of wanted) {
			// Stat first, watch second: a folder replaced in between is then seen as changed at the next arm().
			const stat = fsSync.lstatSync(dir, {throwIfNoEntry: false});
			const entry = this.armed.get(dir);
			if (!stat?.isDirectory()) {
				if (entry) this.drop(dir, entry);
				continue;
			}

			if (entry && entry.ino === stat.ino) {
				entry.card = target.card;
				entry.names = target.names;
				watched.add(dir);
				continue;
			}

			if (entry) this.drop(dir, entry);
			if (this.armed.size >= this.max || this.now() - this.refusedAt < this.retryMs) continue;
			if (this.open(dir, stat.ino, target)) watched.add(dir);
		}

		return watched;
	}

	/** What changed since the last call (and forgets it). */
	take(): WatchChange {
		const change = this.pending;
		this.pending = {listing: false, cards: new Set()};
		return change;
	}

	close(): void {
		this.closed = true;
		clearTimeout(this.settle);
		for (const [dir, entry] of this.armed) this.drop(dir, entry);
	}

	private open(dir: string, ino: number, target: WatchTarget): boolean {
		let watcher: FSWatcher;
		try {
			watcher = this.watch(dir, (_event, filename) => {
				const entry = this.armed.get(dir);
				if (entry?.watcher !== watcher) return;
				if (filename !== null && entry.names && !entry.names.includes(filename)) return;
				this.mark(entry.card);
			});
		} catch (error) {
			// No room for another watch: poll instead, and ask again later. Anything
			// else (the folder vanished since the stat) is seen at the next arm().
			if (LIMIT_CODES.has(errnoCode(error) ?? '')) this.refusedAt = this.now();
			return false;
		}

		const armed: Armed = {watcher, ino, card: target.card, names: target.names};
		watcher.on('error', () => {
			// A lost watch: forget it and say something may have changed, so the next refresh looks and arms it again.
			if (this.armed.get(dir) !== armed) return;
			this.drop(dir, armed);
			this.mark(armed.card);
		});
		this.armed.set(dir, armed);
		return true;
	}

	private drop(dir: string, entry: Armed): void {
		this.armed.delete(dir);
		try {
			entry.watcher.close();
		} catch {
			// Closing a watch whose folder is gone can fail; it is gone either way.
		}
	}

	private mark(card: string | undefined): void {
		if (this.closed) return;
		if (card === undefined) this.pending.listing = true;
		else this.pending.cards.add(card);
		this.settle ??= setTimeout(() => {
			this.settle = undefined;
			if (!this.closed) this.onChange();
		}, this.settleMs);
		this.settle.unref();
	}
}
