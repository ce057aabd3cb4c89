import type {ShellServices} from '../../commands/types.js';
import {isCwsError} from '../../core/errors.js';
import {formatRunTime, ProcessControl, projectCwdProbe, type ProcessEntry} from '../../core/processes/index.js';

/** Which processes the feed lists: those working in the workspace, or every one of this user's. */
export const FEED_SCOPES = ['workspace', 'mine'] as const;
export type ProcessFeedScope = (typeof FEED_SCOPES)[number];

/** How often the listing is re-read while the person looks at it (the process pane in front). */
export const PROCESS_REFRESH_MS = 2000;
/**
 * How often otherwise: the board's per-project counts and the pane seen
 * from the side. Each listing reads /proc for every process of the machine
 * (a few ms per hundred), most of an idle interface's CPU at 2 s. On
 * Linux a listing is taken then only when the processes working in the
 * projects changed (see projectCwdProbe), which costs one readlink per
 * process.
 */
export const PROCESS_BACKGROUND_MS = 10_000;

/**
 * One listing as the interface sees it. The object keeps its identity until
 * something a person could see changes (useSyncExternalStore compares it).
 */
export type ProcessFeedSnapshot = {
	/** 'loading' until the first listing arrives. */
	status: 'loading' | 'ready';
	/** The scope `entries` were listed in. */
	scope: ProcessFeedScope;
	/** When the listing was taken (ms since the epoch; 0 while loading). */
	takenAt: number;
	/** Entries in `scope`, by pid. */
	entries: readonly ProcessEntry[];
	/**
	 * Running processes per project, keyed `'<stage>/<name>'` (e.g.
	 * `'active/web'`), always counted over the whole workspace whatever the
	 * scope. Keeps its identity while the counts stay the same, so a board
	 * card can compare it cheaply.
	 */
	projectCounts: ReadonlyMap<string, number>;
	/** ms the last listing took to read and classify. */
	costMs: number;
	/** Why the last refresh failed (the previous entries are kept), else undefined. */
	error: string | undefined;
};

/** The shared process listing of one running interface. */
export type ProcessFeed = {
	/** The control every process command of this interface uses (stops, rules, cleanup). */
	readonly control: ProcessControl;
	/** Starts polling with the first listener, stops with the last. */
	subscribe(listener: () => void): () => void;
	getSnapshot(): ProcessFeedSnapshot;
	/** Per-project counts alone (`'<stage>/<name>'` → count), stable identity; for board cards. */
	getProjectCounts(): ReadonlyMap<string, number>;
	scope(): ProcessFeedScope;
	/** Switches the listed scope and refreshes at once. */
	setScope(scope: ProcessFeedScope): void;
	/** Re-reads now (after a stop or a rule change); resolves when the new snapshot is published. */
	refresh(): Promise<void>;
	/**
	 * Whether someone looks at the listing itself (the process pane is in
	 * front): polls at the fast interval then, at the background one
	 * otherwise. Coming to the front re-reads at once a listing older than
	 * the fast interval. A new feed starts in front.
	 */
	setForeground(foreground: boolean): void;
};

/** Listings asked for in a burst are this far apart at least. */
const MIN_GAP_MS = 250;

const feeds = new WeakMap<ShellServices, ProcessFeed>();

/**
 * The one process poller of an interface, shared by the process pane, the
 * board's cards and the process commands: one /proc walk every 2 s however
 * many views watch it. Memoized per services object.
 */
export function processFeedFor(services: ShellServices): ProcessFeed {
	let feed = feeds.get(services);
	if (!feed) {
		feed = createProcessFeed(ProcessControl.forWorkspace({paths: services.paths, store: services.store}), PROCESS_REFRESH_MS, PROCESS_BACKGROUND_MS, projectCwdProbe(services.paths.root));
		feeds.set(services, feed);
	}

	return feed;
}

/**
 * A feed over `control`; the intervals are for tests. `probe` (see
 * projectCwdProbe) lets a read behind the front be skipped while it gives
 * the same answer as at the last listing.
 */
export function createProcessFeed(control: ProcessControl, intervalMs = PROCESS_REFRESH_MS, backgroundMs = PROCESS_BACKGROUND_MS, probe: () => string | undefined = () => undefined): ProcessFeed {
	const listeners = new Set<() => void>();
	let scope: ProcessFeedScope = 'workspace';
	let snapshot: ProcessFeedSnapshot = {status: 'loading', scope, takenAt: 0, entries: [], projectCounts: new Map(), costMs: 0, error: undefined};
	let signature = '';
	let timer: NodeJS.Timeout | undefined;
	let running: Promise<void> | undefined;
	let again = false;
	let lastRead = 0;
	let foreground = true;
	/** The probe's answer taken right before the last listing, and when it was last asked. */
	let probed: string | undefined;
	let lastProbe = 0;

	// Out of the front only the board's per-project counts are drawn, and the
	// listing itself changes at every read on a busy machine (cws's own memory,
	// CPU shares, run times): a new listing then is kept without waking the
	// listeners (a redraw of the interface each read), and is sent when the
	// pane comes to the front.
	let unsent = false;
	const publish = (next: ProcessFeedSnapshot): void => {
		const quiet = !foreground && next.projectCounts === snapshot.projectCounts && next.status === snapshot.status && next.error === snapshot.error && next.scope === snapshot.scope;
		snapshot = next;
		unsent = quiet;
		if (quiet) return;
		for (const listener of listeners) listener();
	};

	const readOnce = async (): Promise<void> => {
		const wanted = scope;
		try {
			// Asked before the listing: a change in between makes the next probe differ, never hides one.
			const answer = probe();
			const listing = await control.snapshot(wanted);
			probed = answer;
			// Kernel threads belong to nobody's work; for root they would fill "all of mine".
			const entries = wanted === 'mine' ? listing.entries.filter(entry => !isKernelThread(entry)) : listing.entries;
			const counts = sameCounts(snapshot.projectCounts, listing.projectCounts) ? snapshot.projectCounts : listing.projectCounts;
			const nextSignature = signatureOf(wanted, entries, listing.takenAt);
			if (snapshot.status === 'ready' && nextSignature === signature && counts === snapshot.projectCounts && snapshot.error === undefined) return;
			signature = nextSignature;
			publish({status: 'ready', scope: wanted, takenAt: listing.takenAt, entries, projectCounts: counts, costMs: listing.costMs, error: undefined});
		} catch (error) {
			const text = isCwsError(error) ? `${error.message}${error.hint ? ` ${error.hint}` : ''}` : `cannot list processes: ${error instanceof Error ? error.message : String(error)}`;
			if (snapshot.error !== text) publish({...snapshot, status: 'ready', error: text});
		}
	};

	// One read at a time; a request during a read runs once more right after it.
	const refresh = async (): Promise<void> => {
		if (running) {
			again = true;
			return running;
		}

		running = (async () => {
			do {
				again = false;
				// Keys that ask for a refresh (scope, r, after a stop) can come in bursts;
				// each listing blocks the loop for a few ms per hundred processes.
				const wait = lastRead + MIN_GAP_MS - Date.now();
				if (wait > 0) await new Promise(resolve => setTimeout(resolve, wait).unref());
				await readOnce();
				lastRead = Date.now();
			} while (again);
		})();
		try {
			await running;
		} finally {
			running = undefined;
		}
	};

	// The next read is one interval after the last one, so a change of pace takes effect at once.
	const schedule = (): void => {
		if (listeners.size === 0 || timer !== undefined) return;
		const wait = (foreground ? lastRead + intervalMs : Math.max(lastRead, lastProbe) + backgroundMs) - Date.now();
		timer = setTimeout(() => {
			timer = undefined;
			if (!foreground && probed !== undefined && snapshot.error === undefined) {
				lastProbe = Date.now();
				// Behind the front only the counts are drawn: the same processes in the same projects, the same counts.
				if (probe() === probed) {
					schedule();
					return;
				}
			}

			void refresh().then(schedule);
		}, Math.max(0, Math.min(wait, foreground ? intervalMs : backgroundMs)));
		timer.unref();
	};

	return {
		control,
		subscribe(listener) {
			listeners.add(listener);
			if (listeners.size === 1) void refresh().then(schedule);
			return () => {
				listeners.delete(listener);
				if (listeners.size === 0 && timer) {
					clearTimeout(timer);
					timer = undefined;
				}
			};
		},
		getSnapshot: () => snapshot,
		getProjectCounts: () => snapshot.projectCounts,
		scope: () => scope,
		setScope(next) {
			if (next === scope) return;
			scope = next;
			void refresh();
		},
		refresh,
		setForeground(next) {
			if (next === foreground) return;
			foreground = next;
			if (foreground && unsent) {
				unsent = false;
				for (const listener of listeners) listener();
			}

			if (timer === undefined) return;
			clearTimeout(timer);
			timer = undefined;
			schedule();
		},
	};
}

/** kthreadd (pid 2) and its children on Linux. */
function isKernelThread(entry: ProcessEntry): boolean {
	return process.platform === 'linux' && (entry.pid === 2 || entry.ppid === 2);
}

function sameCounts(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): boolean {
	if (a.size !== b.size) return false;
	for (const [key, value] of a) if (b.get(key) !== value) return false;
	return true;
}

/** What a person could see of a listing: an unchanged signature publishes nothing. */
function signatureOf(scope: ProcessFeedScope, entries: readonly ProcessEntry[], now: number): string {
	const parts: string[] = [scope];
	for (const entry of entries) {
		parts.push(`${entry.pid}:${entry.startTime}:${entry.state}:${entry.cpuPercent}:${entry.rssBytes}:${formatRunTime(entry.startedAt, now)}:${entry.project ?? ''}:${entry.groupSize}:${entry.protection.reasons.map(reason => reason.text).join('|')}:${entry.command}`);
	}

	return parts.join('\n');
}
