import fsSync from 'node:fs';
import fs from 'node:fs/promises';
import {errnoCode} from '../errors.js';
import {STAGES} from '../paths.js';
import {probeActivity, probeStillValid, type Activity, type ActivityOptions, type ActivityProbe} from './activity.js';
import {DEFAULT_BOARD_CONFIG, readBoardConfig, type BoardConfig, type BoardWorkspace} from './context.js';
import {gitSignature, readGitState, type GitState} from './git.js';
import {mapLimit} from './limit.js';
import {walkInThread, type WalkOutcome} from './walk.js';
import {buildListing, readFolder, type BoardListing, type FolderListing, type ProjectCard} from './listing.js';
import {recordOf, type BoardState, type Location} from './model.js';
import {execaRunner, type Runner} from './runner.js';
import {boardStateSpec} from './schema.js';

export type ScannerOptions = {
	runner?: Runner;
	now?: () => number;
	/** Parallel git commands; default 4 (the machine has other work to do). */
	gitConcurrency?: number;
	/** Per git command; default 10 s. */
	gitTimeoutMs?: number;
	/** Parallel project walks; default 16. */
	activityConcurrency?: number;
	/** A cached walk is redone after this long even if nothing seems changed (in-place edits); default 60 s. */
	activityTtlMs?: number;
	/** Likewise for git state; default 60 s. */
	gitTtlMs?: number;
	activity?: ActivityOptions;
};

type Timed<T> = {value: T; at: number; key: string};

/** Cards checked synchronously between two yields to the event loop. */
const YIELD_EVERY = 256;

/** From this many projects to walk, the walk runs in a thread of its own (see walkInThread). */
const THREAD_WALK_MIN = 64;

async function yieldToLoop(): Promise<void> {
	await new Promise(resolve => {
		setImmediate(resolve);
	});
}

/**
 * Scans a workspace and remembers enough to make the next scan cheap. Three
 * tiers, so that the first listing never waits for the slow parts:
 * - list(): stage folders and metadata. Warm cost: one stat per stage folder,
 *   the archive, state.json and config.json; folders are re-read only when
 *   their mtime changed (a project added, removed or renamed in or out).
 * - activity(): newest content mtime per project, by a bounded walk, reused
 *   while every walked folder and the newest file keep their mtimes.
 * - git(): one `git status` per project, reused while the repository's
 *   HEAD/index/ref files and the project's activity are unchanged.
 */
export class BoardScanner {
	private readonly folders = new Map<Location, FolderListing & {mtimeKey: string}>();
	private state: Timed<BoardState> | undefined;
	private config: Timed<BoardConfig> | undefined;
	private last: Timed<BoardListing> | undefined;
	private readonly born = new Map<string, number>();
	private readonly probes = new Map<string, Timed<ActivityProbe>>();
	private readonly gitStates = new Map<string, Timed<GitState>>();
	private readonly options: Required<Omit<ScannerOptions, 'activity'>> & {activity: ActivityOptions};

	constructor(private readonly ws: BoardWorkspace, options: ScannerOptions = {}) {
		this.options = {
			runner: options.runner ?? execaRunner,
			now: options.now ?? Date.now,
			gitConcurrency: options.gitConcurrency ?? 4,
			gitTimeoutMs: options.gitTimeoutMs ?? 10_000,
			activityConcurrency: options.activityConcurrency ?? 16,
			activityTtlMs: options.activityTtlMs ?? 60_000,
			gitTtlMs: options.gitTtlMs ?? 60_000,
			activity: options.activity ?? {},
		};
	}

	/** The board's cards (without activity and git), missing projects and problems. */
	async list(): Promise<BoardListing> {
		const {paths} = this.ws;
		const locations = [...STAGES, 'archive'] as const;
		await Promise.all(locations.map(async location => {
			const dir = location === 'archive' ? paths.archive : paths.stageDir[location];
			const cached = this.folders.get(location);
			const key = statKey(dir);
			if (cached && cached.mtimeKey === key) {
				return;
			}

			// Kept under the key just compared (statKey's form): the next refresh then skips an unchanged folder.
			this.folders.set(location, {...await readFolder(dir, location === 'archive' ? 'Archive' : `Stage "${location}"`), mtimeKey: key});
		}));
		const [state] = await Promise.all([this.readState(), this.readConfig()]);
		// Nothing the listing is built from changed: hand back the same object,
		// so a subscriber can tell "no change" by identity.
		const key = [...locations.map(location => this.folders.get(location)!.mtimeKey), this.state?.key, this.config?.key].join('|');
		if (this.last && this.last.key === key) {
			return this.last.value;
		}

		const folders = Object.fromEntries(locations.map(location => [location, this.folders.get(location)!])) as unknown as Record<Location, FolderListing>;
		const unknown = locations.flatMap(location => location === 'archive' ? [] : folders[location].entries
			.filter(entry => entry.isDirectory() && recordOf(state, entry.name) === undefined)
			.map(entry => `${paths.stageDir[location]}/${entry.name}`));
		await Promise.all(unknown.filter(dir => !this.born.has(dir)).map(async dir => {
			this.born.set(dir, await bornTime(dir, this.options.now()));
		}));
		const listing = buildListing({paths, state, folders, bornOf: dir => this.born.get(dir) ?? this.options.now(), now: this.options.now()});
		this.last = {value: listing, at: this.options.now(), key};
		return listing;
	}

	/**
	 * Newest content mtime for each card (key -> activity). A cached walk is
	 * reused while it is younger than `ttlMs` (default `activityTtlMs`) and
	 * still valid (same folder mtimes, newest file untouched); the others
	 * are walked, many at once in a thread of their own.
	 */
	async activity(cards: readonly ProjectCard[], options: {ttlMs?: number} = {}): Promise<Map<string, Activity>> {
		const now = this.options.now();
		const ttlMs = options.ttlMs ?? this.options.activityTtlMs;
		const found = new Map<string, Activity>();
		const walk: ProjectCard[] = [];
		// Cheap synchronous checks first, yielding now and then so a screen stays responsive.
		for (const [index, card] of cards.entries()) {
			if (index % YIELD_EVERY === YIELD_EVERY - 1) {
				await yieldToLoop();
			}

			const cached = this.probes.get(card.dir);
			if (cached && now - cached.at < ttlMs && probeStillValid(card.dir, cached.value)) {
				found.set(card.key, cached.value.activity);
			} else {
				walk.push(card);
			}
		}

		const keep = (card: ProjectCard, outcome: WalkOutcome): void => {
			if ('probe' in outcome) {
				this.probes.set(card.dir, {value: outcome.probe, at: now, key: ''});
				found.set(card.key, outcome.probe.activity);
				return;
			}

			// The folder went away between listing and walking; the next listing shows where.
			this.probes.delete(card.dir);
			if (outcome.code !== 'ENOENT') {
				throw Object.assign(new Error(outcome.message), {code: outcome.code});
			}
		};

		const threaded = walk.length >= THREAD_WALK_MIN ? await this.walkInThread(walk) : undefined;
		if (threaded) {
			// Every walk that worked is kept before the first failure is reported.
			const failures: unknown[] = [];
			for (const [index, card] of walk.entries()) {
				try {
					keep(card, threaded[index]!);
				} catch (error) {
					failures.push(error);
				}
			}

			if (failures.length > 0) {
				throw failures[0];
			}

			return found;
		}

		await mapLimit(walk, this.options.activityConcurrency, async card => {
			let probe;
			try {
				probe = await probeActivity(card.dir, this.options.activity);
			} catch (error) {
				if (errnoCode(error) !== 'ENOENT') {
					throw error;
				}

				this.probes.delete(card.dir);
				return;
			}

			keep(card, {probe});
		});
		return found;
	}

	/** Git state for each card (key -> state), at most `gitConcurrency` commands at a time; a cached state is reused while younger than `ttlMs` (default `gitTtlMs`) and its signature holds. */
	async git(cards: readonly ProjectCard[], options: {ttlMs?: number} = {}): Promise<Map<string, GitState>> {
		const now = this.options.now();
		const ttlMs = options.ttlMs ?? this.options.gitTtlMs;
		const {paths} = this.ws;
		const found = new Map<string, GitState>();
		const run: Array<{card: ProjectCard; contentKey: string}> = [];
		for (const [index, card] of cards.entries()) {
			if (index % YIELD_EVERY === YIELD_EVERY - 1) {
				await yieldToLoop();
			}

			const cached = this.gitStates.get(card.dir);
			const contentKey = String(this.probes.get(card.dir)?.value.activity.newestMs ?? '');
			if (cached && now - cached.at < ttlMs && cached.key === `${gitSignature(card.dir, cached.value)}#${contentKey}`) {
				found.set(card.key, cached.value);
			} else {
				run.push({card, contentKey});
			}
		}

		await mapLimit(run, this.options.gitConcurrency, async ({card, contentKey}) => {
			const before = gitSignature(card.dir);
			const state = await readGitState(card.dir, {runner: this.options.runner, timeoutMs: this.options.gitTimeoutMs, ceiling: paths.stageDir[card.stage]});
			// Keyed by the signature after the command (it names the branch and
			// upstream refs just learned). A commit or checkout that raced the
			// command leaves an answer that may predate it: kept for the screen,
			// but asked again at the next check.
			const settled = gitSignature(card.dir) === before;
			this.gitStates.set(card.dir, {value: state, at: now, key: settled ? `${gitSignature(card.dir, state)}#${contentKey}` : 'changed while read'});
			found.set(card.key, state);
		});
		return new Map(cards.flatMap(card => found.has(card.key) ? [[card.key, found.get(card.key)!] as const] : []));
	}

	/** The folders the cached walk of a project went through ('' is the project itself), if it was walked. */
	walkedDirs(dir: string): string[] | undefined {
		return this.probes.get(dir)?.value.dirs.map(([relative]) => relative);
	}

	/** The git state last read for a project folder. */
	lastGit(dir: string): GitState | undefined {
		return this.gitStates.get(dir)?.value;
	}

	/** The workspace policy read by the last list(). */
	get boardConfig(): BoardConfig {
		return this.config?.value ?? DEFAULT_BOARD_CONFIG;
	}

	/** Forget cached data for one project folder (after this process changed it) or everything. */
	invalidate(dir?: string): void {
		if (dir === undefined) {
			this.last = undefined;
			this.folders.clear();
			this.state = undefined;
			this.probes.clear();
			this.gitStates.clear();
			return;
		}

		this.probes.delete(dir);
		this.gitStates.delete(dir);
	}

	/** Walks in a thread; undefined when no thread can be started (the walk then runs here). */
	private async walkInThread(cards: readonly ProjectCard[]): Promise<WalkOutcome[] | undefined> {
		try {
			return await walkInThread(cards.map(card => card.dir), this.options.activity);
		} catch {
			// Out of memory for another thread or threads unavailable: the same walk
			// with promises gives the same answer, only slower.
			return undefined;
		}
	}

	private async readState(): Promise<BoardState> {
		const key = statKey(this.ws.paths.state);
		if (this.state && this.state.key === key) {
			return this.state.value;
		}

		const {data} = await this.ws.store.read(boardStateSpec);
		this.state = {value: data, at: this.options.now(), key};
		return data;
	}

	private async readConfig(): Promise<BoardConfig> {
		const key = statKey(this.ws.paths.config);
		if (this.config && this.config.key === key) {
			return this.config.value;
		}

		const value = await readBoardConfig(this.ws.paths);
		this.config = {value, at: this.options.now(), key};
		return value;
	}
}

/** Marks sandbox cards stale from their activity: no content change for `days`. */
export function isStale(card: ProjectCard, activity: Activity | undefined, days: number, now: number): boolean | undefined {
	if (card.stage !== 'sandbox' || activity === undefined) {
		return undefined;
	}

	return now - activity.newestMs > days * 86_400_000;
}

/** One card with its activity, staleness and git state (each left as it was when undefined). */
export function withDetail(card: ProjectCard, activity: Activity | undefined, git: GitState | undefined, staleDays: number, now: number): ProjectCard {
	const next: ProjectCard = {...card};
	if (activity) {
		next.activity = activity;
		const stale = isStale(card, activity, staleDays, now);
		if (stale !== undefined) {
			next.stale = stale;
		}
	}

	if (git) {
		next.git = git;
	}

	return next;
}

/** Cards with their activity, staleness and git state filled in from the maps. */
export function withDetails(cards: readonly ProjectCard[], details: {activity?: Map<string, Activity>; git?: Map<string, GitState>; staleDays: number; now: number}): ProjectCard[] {
	return cards.map(card => withDetail(card, details.activity?.get(card.key) ?? card.activity, details.git?.get(card.key) ?? card.git, details.staleDays, details.now));
}

/** One full scan (no cache): listing, then activity and optionally git for every card. */
export async function scanBoard(ws: BoardWorkspace, options: ScannerOptions & {git?: boolean; activity?: boolean} = {}): Promise<BoardListing> {
	const scanner = new BoardScanner(ws, options);
	const listing = await scanner.list();
	const activity = options.activity === false ? undefined : await scanner.activity(listing.cards);
	const git = options.git ? await scanner.git(listing.cards) : undefined;
	const now = (options.now ?? Date.now)();
	return {...listing, cards: withDetails(listing.cards, {activity, git, staleDays: scanner.boardConfig.sandboxStaleDays, now})};
}

/**
 * What tells a later look that a file or folder may have changed.
 * Synchronous: the open board calls it a few times a second, where one
 * lstat costs microseconds and a promise through the libuv pool a hundred
 * times that.
 */
function statKey(file: string): string {
	const stat = fsSync.lstatSync(file, {throwIfNoEntry: false});
	return stat ? `${stat.ino}:${stat.mtimeMs}:${stat.ctimeMs}:${stat.size}` : 'missing';
}

/** When a folder appeared: its birth time where the file system keeps one, else its mtime. */
async function bornTime(dir: string, fallback: number): Promise<number> {
	try {
		const stat = await fs.lstat(dir);
		return stat.birthtimeMs > 0 ? stat.birthtimeMs : stat.mtimeMs;
	} catch {
		return fallback;
	}
}
