import {chmod, lstat, mkdir} from 'node:fs/promises';
import path from 'node:path';
import {reconcileIntents, verifyBoard} from './board/index.js';
import {CwsError, errnoCode, isCwsError} from './errors.js';
import {parseStagedName} from './file-ops.js';
import {STAGES, type WorkspacePaths} from './paths.js';
import {Store} from './store.js';
import {inspectMeta, sweepMeta} from './sweep.js';
import {
	STATE_FILE_KINDS, checkLogs, checkStateFiles, listEntries,
	type Found, type StateFileCheck, type StateFileKind,
} from './verify-state.js';
import {fsError, kindOf} from './workspace-entries.js';
import {DIR_MODE, layoutDirs, layoutFiles, requireWorkspace} from './workspace.js';

export {STATE_FILE_KINDS, type StateFileCheck, type StateFileKind} from './verify-state.js';

/** One thing wrong with a workspace. */
export type VerifyIssue = {
	area: 'layout' | 'mode' | 'state' | 'leftover' | 'project';
	/** Absolute path of what is wrong. */
	path: string;
	/** What is wrong, one line. */
	problem: string;
	/** Whether --repair can fix it without losing anything. */
	repairable: boolean;
	/** What --repair does, or what the user should do when it cannot. */
	action: string;
	/** After --repair: what was done. */
	repaired?: string;
	/** After --repair: why fixing it failed. */
	repairError?: string;
};

/** The result of `verifyWorkspace`. */
export type VerifyReport = {
	root: string;
	/** True when nothing is wrong, or everything wrong was repaired. */
	ok: boolean;
	repair: boolean;
	folders: number;
	stateFiles: StateFileCheck[];
	issues: VerifyIssue[];
	/** Harmless findings that need no action (e.g. a torn last log line, which readers skip). */
	notes: string[];
};

/**
 * Checks a workspace: the layout (folders present, 0700, no symlinks),
 * file modes under .cws, every state file (envelope and schema), temp files
 * and locks left by dead processes, the logs. With `repair`, fixes what can
 * be fixed without losing anything: recreates folders, corrects modes,
 * sweeps leftovers, restores damaged state files from their newest valid
 * backup (the bad file is kept in quarantine). Changes nothing without it.
 */
export async function verifyWorkspace(root: string, options: {repair?: boolean; kinds?: StateFileKind[]} = {}): Promise<VerifyReport> {
	const repair = options.repair ?? false;
	const paths = await requireWorkspace(root);
	const store = new Store(paths.meta);
	const notes: string[] = [];
	const layout = await checkLayout(paths);
	const modes = await checkModes(paths);
	const leftovers = await checkLeftovers(paths);
	const {checks, found: state} = await checkStateFiles(paths, store, options.kinds ?? STATE_FILE_KINDS);
	notes.push(...await checkLogs(paths));
	// The board reads state.json: only when it is sound (reading a damaged one would restore it, a change).
	const boardState = checks.find(check => check.name === 'state.json');
	const board = boardState && boardState.status !== 'damaged' ? await checkBoard(paths, store) : {found: [], notes: []};
	notes.push(...board.notes);
	// Layout first (folders the rest needs), leftovers before state (stale locks would stall recovery).
	const all = [...layout, ...modes, ...leftovers, ...state, ...board.found];
	if (repair) {
		for (const item of all) {
			if (!item.issue.repairable || !item.fix) {
				continue;
			}

			try {
				item.issue.repaired = await item.fix();
			} catch (error) {
				if (!isCwsError(error)) {
					throw error;
				}

				item.issue.repairError = error.hint ? `${error.message} ${error.hint}` : error.message;
			}
		}
	}

	const issues = all.map(item => item.issue);
	return {
		root: paths.root,
		ok: issues.every(issue => issue.repaired !== undefined),
		repair,
		folders: layoutDirs(paths).length,
		stateFiles: checks,
		issues,
		notes,
	};
}

async function checkLayout(paths: WorkspacePaths): Promise<Found[]> {
	const found: Found[] = [];
	for (const dir of layoutDirs(paths)) {
		const kind = await kindOf(dir);
		if (kind === 'missing') {
			found.push({
				issue: {area: 'layout', path: dir, problem: 'folder is missing', repairable: true, action: 'recreate it (0700)'},
				async fix() {
					await guard(dir, paths, async () => mkdir(dir, {mode: DIR_MODE}));
					await guard(dir, paths, async () => chmod(dir, DIR_MODE));
					return 'recreated';
				},
			});
		} else if (kind !== 'folder') {
			found.push({issue: {
				area: 'layout', path: dir, repairable: false,
				problem: kind === 'symlink' ? 'is a symbolic link (cws does not follow links in a workspace)' : `is a ${kind}, not a folder`,
				action: `move it aside, then run \`cws verify --repair\` to recreate the folder${kind === 'symlink' ? ' and move the contents of the link target in' : ''}`,
			}});
		}
	}

	for (const stage of STAGES) {
		for (const entry of await listEntries(paths.stageDir[stage], paths)) {
			if (entry.isSymbolicLink()) {
				found.push({issue: {
					area: 'project', path: path.join(paths.stageDir[stage], entry.name), repairable: false,
					problem: 'project folder is a symbolic link (cws refuses to move or sync it)',
					action: 'replace the link with the real folder, or remove the link',
				}});
			}
		}
	}

	return found;
}

/** Folders must be 0700 and files 0600 (no group/other bits); no symlinks under .cws. */
async function checkModes(paths: WorkspacePaths): Promise<Found[]> {
	const found: Found[] = [];
	const dirs = layoutDirs(paths);
	const walked = await walkMeta(paths, paths.meta);
	for (const target of new Set([...dirs, ...layoutFiles(paths), ...walked])) {
		if (parseStagedName(path.basename(target))) {
			continue; // a temp file: in flight, or a leftover the sweep reports
		}

		let stats;
		try {
			stats = await lstat(target);
		} catch (error) {
			if (errnoCode(error) === 'ENOENT') {
				continue; // missing folders are layout issues; missing logs are fine
			}

			throw fsError(target, error, paths.root);
		}

		if (stats.isSymbolicLink()) {
			// A symlinked layout folder is reported by checkLayout already.
			if (!dirs.includes(target)) {
				found.push({issue: {
					area: 'mode', path: target, repairable: false, problem: 'is a symbolic link inside .cws',
					action: 'replace it with the file or folder it points to, or remove it',
				}});
			}

			continue;
		}

		const mode = stats.mode & 0o777;
		const wanted = stats.isDirectory() ? DIR_MODE : (mode & 0o700) | 0o600;
		if (mode !== wanted) {
			found.push({
				issue: {
					area: 'mode', path: target, repairable: true,
					problem: `mode is ${octal(mode)}, should be ${octal(wanted)}`, action: `chmod it to ${octal(wanted)}`,
				},
				async fix() {
					await guard(target, paths, async () => chmod(target, wanted));
					return `mode set to ${octal(wanted)}`;
				},
			});
		}
	}

	return found;
}

async function checkLeftovers(paths: WorkspacePaths): Promise<Found[]> {
	const findings = await guard(paths.meta, paths, async () => inspectMeta(paths.meta));
	if (findings.length === 0) {
		return [];
	}

	// One sweep removes them all; each issue reports its own outcome.
	let sweep: Promise<Awaited<ReturnType<typeof sweepMeta>>> | undefined;
	return findings.map(finding => ({
		issue: {
			area: 'leftover' as const, path: finding.path, repairable: true,
			problem: finding.detail, action: finding.kind === 'orphan-temp' ? 'remove the temp file' : 'remove the lock',
		},
		async fix() {
			sweep ??= guard(paths.meta, paths, async () => sweepMeta(paths.meta));
			const report = await sweep;
			const failed = report.failed.find(item => item.finding.path === finding.path);
			if (failed) {
				throw new CwsError('SWEEP_FAILED', `Cannot remove ${finding.path}: ${failed.error}.`, {
					hint: `Make ${paths.meta} writable by you and run \`cws verify --repair\` again.`,
				});
			}

			return report.removed.some(item => item.path === finding.path) ? 'removed' : 'gone already (another process cleaned it up)';
		},
	}));
}

/**
 * Projects against their records (verifyBoard): one place each, history
 * consistent, no record without its folder. An interrupted move is
 * repairable (finished or undone, as the next change would); the rest
 * needs a person. Symlinks and non-folders are the layout check's.
 */
async function checkBoard(paths: WorkspacePaths, store: Store): Promise<{found: Found[]; notes: string[]}> {
	const ws = {paths, store};
	const result = await verifyBoard(ws);
	const found = result.errors.filter(issue => issue.code !== 'symlink' && issue.code !== 'not-a-folder').map((issue): Found => {
		const pending = issue.code === 'pending';
		return {
			issue: {
				area: 'project', path: issue.project === undefined ? paths.root : paths.state, problem: issue.message, repairable: pending,
				action: pending ? 'finish or undo the interrupted move, whichever matches where its folder is'
					: issue.code === 'missing' ? `put the folder back, or \`cws rm ${issue.project ?? '<name>'}\` moves the record to the trash`
						: issue.code === 'duplicate' ? 'keep one of the folders: move the other out of the workspace'
							: 'look at the project\'s history with `cws note`/`cws list --json`; this needs a person',
			},
			...(pending ? {
				async fix() {
					const reports = await reconcileIntents(ws);
					return reports.map(report => report.message).join(' ') || 'already finished by another process';
				},
			} : {}),
		};
	});
	return {found, notes: summarizeWarnings(result.warnings.map(warning => ({code: warning.code, message: warning.message})))};
}

/** Notes of one kind beyond this many are counted rather than listed (10,000 folders added by hand are one fact). */
const NOTES_PER_KIND = 5;

function summarizeWarnings(warnings: Array<{code: string; message: string}>): string[] {
	const notes: string[] = [];
	const seen = new Map<string, number>();
	for (const warning of warnings) {
		const count = (seen.get(warning.code) ?? 0) + 1;
		seen.set(warning.code, count);
		if (count <= NOTES_PER_KIND) notes.push(warning.message);
	}

	for (const [code, count] of seen) {
		if (count > NOTES_PER_KIND) notes.push(`… and ${count - NOTES_PER_KIND} more like these (${code}); \`cws list\` shows every project.`);
	}

	return notes;
}

/** Every file and folder under .cws except project trees (archive, trash) and lock folders (not ours to chmod). */
async function walkMeta(paths: WorkspacePaths, dir: string, depth = 0): Promise<string[]> {
	const skip = new Set([paths.archive, paths.trash, paths.locks]);
	const out: string[] = [];
	for (const entry of await listEntries(dir, paths)) {
		const full = path.join(dir, entry.name);
		out.push(full);
		if (entry.isDirectory() && !skip.has(full) && depth < 8) {
			out.push(...await walkMeta(paths, full, depth + 1));
		}
	}

	return out;
}

async function guard<T>(target: string, paths: WorkspacePaths, action: () => Promise<T>): Promise<T> {
	try {
		return await action();
	} catch (error) {
		throw error instanceof CwsError ? error : fsError(target, error, paths.root);
	}
}

function octal(mode: number): string {
	return `0${mode.toString(8).padStart(3, '0')}`;
}
