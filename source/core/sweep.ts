import {lstat, readdir, rm, stat} from 'node:fs/promises';
import path from 'node:path';
import {errnoCode} from './errors.js';
import {inFlightStaged, parseStagedName} from './file-ops.js';
import {readOwner, removeLockIf} from './lock-fs.js';
import {DEFAULT_LOCK_TIMING, isDeadHolder} from './lock.js';
import {isProcessAlive} from './process-info.js';

/** Something left behind by a process that died mid-operation. */
export type SweepFinding = {
	kind: 'orphan-temp' | 'stale-lock' | 'dead-holder-lock';
	/** Absolute path of the leftover. */
	path: string;
	/** One line for the user: why it is considered left behind. */
	detail: string;
};

/** What sweepMeta removed, and what it could not. */
export type SweepReport = {
	removed: SweepFinding[];
	failed: Array<{finding: SweepFinding; error: string}>;
};

export type SweepOptions = {
	/** A lock folder not refreshed for this long is stale (ms; the lock timing's `stale`). */
	lockStaleMs?: number;
	/** A staged temp file older than this is an orphan even if its pid is alive (pid reuse). */
	tempMaxAgeMs?: number;
	now?: () => number;
};

// Project trees moved out of the stages can be large and hold no store files.
const SKIPPED_TOP = new Set(['archive', 'trash']);
const MAX_DEPTH = 8;

/**
 * Lists what a start-up sweep would remove under <root>/.cws, changing
 * nothing (for `cws verify` without --repair): staged temp files whose
 * writer is gone, unfinished lock folders of dead processes, and locks
 * whose holder died or that were not refreshed within the stale time.
 */
export async function inspectMeta(meta: string, options: SweepOptions = {}): Promise<SweepFinding[]> {
	const now = (options.now ?? Date.now)();
	const lockStaleMs = options.lockStaleMs ?? DEFAULT_LOCK_TIMING.stale;
	const tempMaxAgeMs = options.tempMaxAgeMs ?? 60_000;
	const findings: SweepFinding[] = [];
	for (const file of await walk(meta, 0)) {
		const parsed = parseStagedName(path.basename(file));
		if (!parsed) {
			continue;
		}

		const stats = await lstat(file).catch(() => undefined);
		if (!stats?.isFile()) {
			continue;
		}

		const staged = path.join(path.dirname(file), parsed.staged);
		const writing = inFlightStaged.has(staged);
		// A staged name can carry an old file's mtime: the second name kept
		// of a state file while it is replaced, or a backup renamed aside by
		// the prune. Linking and renaming update the ctime, so the newer of
		// the two says when the staged name was made.
		const age = now - Math.max(stats.mtimeMs, stats.ctimeMs);
		const alive = parsed.pid === process.pid ? writing : isProcessAlive(parsed.pid);
		if (!alive) {
			findings.push({kind: 'orphan-temp', path: file, detail: `temp file of process ${parsed.pid}, which is no longer running`});
		} else if (age > tempMaxAgeMs && !writing) {
			findings.push({kind: 'orphan-temp', path: file, detail: `temp file ${Math.round(age / 1000)} s old (a write takes well under a second)`});
		}
	}

	findings.push(...await inspectLocks(path.join(meta, 'locks'), now, lockStaleMs, tempMaxAgeMs));
	return findings;
}

/**
 * Start-up recovery: removes what inspectMeta finds, re-checking each lock
 * right before removing it, and says what it did. Used at start-up and by
 * `cws verify --repair`.
 */
export async function sweepMeta(meta: string, options: SweepOptions = {}): Promise<SweepReport> {
	const report: SweepReport = {removed: [], failed: []};
	const lockStaleMs = options.lockStaleMs ?? DEFAULT_LOCK_TIMING.stale;
	for (const finding of await inspectMeta(meta, options)) {
		try {
			if (finding.kind === 'orphan-temp') {
				await rm(finding.path, {recursive: true});
			} else {
				// Remove only what was judged: renamed aside first, then re-checked.
				const outcome = await removeLockIf(finding.path, async aside => {
					const again = await inspectLock(aside, (options.now ?? Date.now)(), lockStaleMs);
					return again?.kind !== finding.kind;
				});
				if (outcome !== 'removed') {
					continue;
				}
			}

			report.removed.push(finding);
		} catch (error) {
			if (errnoCode(error) === 'ENOENT') {
				continue; // gone already: someone else cleaned it up
			}

			report.failed.push({finding, error: error instanceof Error ? error.message : String(error)});
		}
	}

	return report;
}

const LOCK_LEFTOVER = /\.lock\.(?:new|old)-(\d+)-[0-9a-f]+$/;

async function inspectLocks(locksDir: string, now: number, lockStaleMs: number, tempMaxAgeMs: number): Promise<SweepFinding[]> {
	let entries: string[];
	try {
		entries = await readdir(locksDir);
	} catch (error) {
		if (errnoCode(error) === 'ENOENT') {
			return [];
		}

		throw error;
	}

	const findings: SweepFinding[] = [];
	for (const entry of entries) {
		const full = path.join(locksDir, entry);
		const leftover = LOCK_LEFTOVER.exec(entry);
		if (leftover) {
			// A lock folder being assembled or removed by a process that died doing it.
			const pid = Number(leftover[1]);
			const stats = await stat(full).catch(() => undefined);
			if (stats && (pid === process.pid ? now - stats.mtimeMs > tempMaxAgeMs : !isProcessAlive(pid) || now - stats.mtimeMs > tempMaxAgeMs)) {
				findings.push({kind: 'orphan-temp', path: full, detail: `unfinished lock folder of process ${pid}, which is no longer running`});
			}
		} else if (entry.endsWith('.lock')) {
			const finding = await inspectLock(full, now, lockStaleMs);
			if (finding) {
				findings.push(finding);
			}
		}
	}

	return findings;
}

/** Whether one lock folder is held by a dead process of this host, or not refreshed within the stale time. */
async function inspectLock(lockDir: string, now: number, lockStaleMs: number): Promise<SweepFinding | undefined> {
	const stats = await stat(lockDir).catch(() => undefined);
	// A lock is a file; older versions made a folder.
	if (!stats || (!stats.isFile() && !stats.isDirectory())) {
		return undefined;
	}

	const owner = await readOwner(lockDir);
	if (isDeadHolder(owner)) {
		return {kind: 'dead-holder-lock', path: lockDir, detail: `lock held by process ${owner.pid}, which is no longer running`};
	}

	const age = now - stats.mtimeMs;
	if (age > lockStaleMs) {
		return {kind: 'stale-lock', path: lockDir, detail: `lock not refreshed for ${Math.round(age / 1000)} s (its holder died or hangs)`};
	}

	return undefined;
}

async function walk(dir: string, depth: number): Promise<string[]> {
	let entries;
	try {
		entries = await readdir(dir, {withFileTypes: true});
	} catch (error) {
		if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') {
			return [];
		}

		throw error;
	}

	// The folders are read all at once (a start waits for this walk); the files keep readdir's order.
	const found = await Promise.all(entries.map(async entry => {
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) {
			return depth < MAX_DEPTH && !(depth === 0 && SKIPPED_TOP.has(entry.name)) && !entry.name.endsWith('.lock') ? walk(full, depth + 1) : [];
		}

		return entry.isFile() ? [full] : [];
	}));
	return found.flat();
}
