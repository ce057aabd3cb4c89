import fs from 'node:fs/promises';
import path from 'node:path';
import {CwsError, errnoCode} from '../errors.js';
import {ensurePrivateDir, toFsError} from '../file-ops.js';
import type {Stage} from '../paths.js';
import {
	assertModel, assertSafeProject, assertStage, findProjectFolders, isStage, locateProject, projectDir, toRelative,
	type BoardWorkspace,
} from './context.js';
import {gitEnv} from './git.js';
import {DEFAULT_MODEL, recordOf, type BusinessModel, type Location, type ProjectRecord} from './model.js';
import {assertProjectName, assertRealFolder} from './names.js';
import {WORKSPACE_LOCK, reconcileIntents, reconcileLocked} from './reconcile.js';
import {relocate, targetExists, type RelocateDeps} from './relocate.js';
import {execaRunner, type Runner} from './runner.js';
import {boardStateSpec} from './schema.js';

export type NewProjectOptions = {
	stage?: Stage;
	model?: BusinessModel;
	description?: string;
	/** `git init -b main` and an empty first commit (when git knows who you are). */
	git?: boolean;
	requestedBy?: string;
	runner?: Runner;
	now?: () => Date;
};

export type NewProjectResult = {name: string; stage: Stage; dir: string; record: ProjectRecord; warnings: string[]};

/**
 * Creates project `name` as an empty folder (0700) in `stage` with its
 * record. The folder comes first: a crash before the record leaves a folder
 * the board shows as added by hand, never a record without a folder.
 */
export async function newProject(ws: BoardWorkspace, name: string, options: NewProjectOptions = {}): Promise<NewProjectResult> {
	assertProjectName(name);
	const stage = options.stage ?? 'sandbox';
	assertStage(stage);
	const model = options.model ?? DEFAULT_MODEL;
	assertModel(model);
	const now = options.now ?? (() => new Date());
	await reconcileIntents(ws);
	const dir = projectDir(ws.paths, stage, name);
	const record = await ws.store.withLock(WORKSPACE_LOCK, async () => {
		await reconcileLocked(ws);
		const found = await findProjectFolders(ws.paths, name);
		if (found.length > 0) {
			throw new CwsError('EXISTS', `A project "${name}" already exists in ${found.join(' and ')}.`, {hint: 'Choose another name.'});
		}

		const {data} = await ws.store.read(boardStateSpec);
		if (recordOf(data, name)) {
			throw new CwsError('EXISTS', `The workspace already has a record of "${name}", whose folder is missing.`, {
				hint: `Put its folder back, or run \`cws rm ${name}\` to move the record to the trash, then try again.`,
			});
		}

		await assertRealFolder(ws.paths.stageDir[stage], 'Stage folder');
		await assertSafeProject(ws.paths, stage, name);
		try {
			await fs.mkdir(dir, {mode: 0o700});
			await fs.chmod(dir, 0o700);
		} catch (error) {
			throw errnoCode(error) === 'EEXIST' ? targetExists(name, dir) : toFsError(error, dir, 'create');
		}

		const at = now().toISOString();
		const created: ProjectRecord = {
			model,
			description: options.description ?? '',
			created: at,
			history: [{from: null, to: stage, at, reason: 'created', forced: false, ...(options.requestedBy ? {by: options.requestedBy} : {})}],
			notes: [],
		};
		await ws.store.update(boardStateSpec, state => ({...state, projects: {...state.projects, [name]: created}}));
		return created;
	});
	const warnings = options.git ? await initGit(dir, ws.paths.stageDir[stage], options.runner ?? execaRunner) : [];
	return {name, stage, dir, record, warnings};
}

async function initGit(dir: string, ceiling: string, runner: Runner): Promise<string[]> {
	const env = gitEnv(ceiling);
	const init = await runner('git', ['init', '--quiet', '--initial-branch=main'], {cwd: dir, timeoutMs: 15_000, env});
	if (init.failed) {
		return [`git init failed: ${init.stderr.trim() || init.error}`];
	}

	// An empty first commit gives the project a branch at once, so the board
	// can show it and ahead/behind works after the first push.
	const commit = await runner('git', ['commit', '--quiet', '--allow-empty', '--no-verify', '-m', 'Initial commit'], {cwd: dir, timeoutMs: 15_000, env});
	if (commit.failed) {
		return ['git repository created without a first commit: git does not know your name and email (git config --global user.name/user.email).'];
	}

	return [];
}

export type RelocateOptions = RelocateDeps & {reason?: string; requestedBy?: string};

/** Moves project `name` from its stage to .cws/archive/<name>. */
export async function archiveProject(ws: BoardWorkspace, name: string, options: RelocateOptions = {}): Promise<{name: string; from: Stage; dir: string}> {
	assertProjectName(name);
	await reconcileIntents(ws);
	return ws.store.withLock(WORKSPACE_LOCK, async () => {
		await reconcileLocked(ws);
		const from = await locateProject(ws.paths, name) as Stage;
		await ensurePrivateDir(ws.paths.archive);
		await assertSafeProject(ws.paths, 'archive', name);
		const toDir = projectDir(ws.paths, 'archive', name);
		await refuseExisting(name, toDir);
		await relocate(ws, withBy({kind: 'archive', name, from, to: 'archive', fromDir: projectDir(ws.paths, from, name), toDir, reason: options.reason ?? 'archived', forced: false}, options), options);
		return {name, from, dir: toDir};
	});
}

/** Moves archived project `name` back to the stage it was archived from (or `stage`). */
export async function restoreProject(ws: BoardWorkspace, name: string, options: RelocateOptions & {stage?: Stage} = {}): Promise<{name: string; to: Stage; dir: string}> {
	assertProjectName(name);
	await reconcileIntents(ws);
	return ws.store.withLock(WORKSPACE_LOCK, async () => {
		await reconcileLocked(ws);
		const location = await locateProject(ws.paths, name, {allowArchive: true});
		if (location !== 'archive') {
			throw new CwsError('NOT_ARCHIVED', `"${name}" is not archived; it is in ${location}.`, {hint: 'Only archived projects can be restored.'});
		}

		const {data} = await ws.store.read(boardStateSpec);
		const to = options.stage ?? lastStageBefore(recordOf(data, name));
		assertStage(to);
		await assertSafeProject(ws.paths, to, name);
		const toDir = projectDir(ws.paths, to, name);
		await refuseExisting(name, toDir);
		await relocate(ws, withBy({kind: 'restore', name, from: 'archive', to, fromDir: projectDir(ws.paths, 'archive', name), toDir, reason: options.reason ?? `restored to ${to}`, forced: false}, options), options);
		return {name, to, dir: toDir};
	});
}

/** The stage a project was in before it was archived; sandbox when unknown. */
function lastStageBefore(record: ProjectRecord | undefined): Stage {
	const entries = record?.history ?? [];
	for (let index = entries.length - 1; index >= 0; index--) {
		const entry = entries[index]!;
		if (entry.to === 'archive' && isStage(entry.from)) {
			return entry.from;
		}
	}

	return 'sandbox';
}

export type RemoveResult = {name: string; from: Location | null; folder: string | null};

/**
 * Moves project `name` (from a stage or the archive) to
 * .cws/trash/<name>-<UTC time>, and its record to the trash list. A record
 * whose folder is missing is moved to the trash list alone. Nothing is
 * deleted: `emptyTrash` does that, separately.
 */
export async function removeProject(ws: BoardWorkspace, name: string, options: RelocateOptions = {}): Promise<RemoveResult> {
	assertProjectName(name);
	const now = options.now ?? (() => new Date());
	await reconcileIntents(ws);
	return ws.store.withLock(WORKSPACE_LOCK, async () => {
		await reconcileLocked(ws);
		const found = await findProjectFolders(ws.paths, name);
		if (found.length === 0) {
			return forgetMissing(ws, name, now);
		}

		const from = await locateProject(ws.paths, name, {allowArchive: true});
		await ensurePrivateDir(ws.paths.trash);
		await assertRealFolder(ws.paths.trash, 'Trash folder');
		const toDir = await freeTrashName(ws.paths.trash, name, now());
		await relocate(ws, withBy({kind: 'trash', name, from, to: 'trash', fromDir: projectDir(ws.paths, from, name), toDir, reason: options.reason ?? 'removed', forced: false}, options), options);
		return {name, from, folder: toRelative(ws.paths, toDir)};
	});
}

async function forgetMissing(ws: BoardWorkspace, name: string, now: () => Date): Promise<RemoveResult> {
	let from: Location | null = null;
	await ws.store.update(boardStateSpec, state => {
		const record = recordOf(state, name);
		if (!record) {
			throw new CwsError('NOT_FOUND', `No project "${name}" in ${ws.paths.root}.`, {hint: 'Run `cws list` to see the projects.'});
		}

		from = record.history.at(-1)?.to ?? null;
		const projects = {...state.projects};
		delete projects[name];
		return {...state, projects, trash: [...state.trash, {name, folder: null, at: now().toISOString(), from, record}]};
	});
	return {name, from, folder: null};
}

/** Trash folder names: <name>-<UTC yyyymmddThhmmssZ>, with -2, -3 … on a clash. */
export function trashStamp(date: Date): string {
	return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

async function freeTrashName(trash: string, name: string, date: Date): Promise<string> {
	const base = `${name}-${trashStamp(date)}`;
	for (let suffix = 1; ; suffix++) {
		const candidate = path.join(trash, suffix === 1 ? base : `${base}-${suffix}`);
		try {
			await fs.lstat(candidate);
		} catch (error) {
			if (errnoCode(error) === 'ENOENT') {
				return candidate;
			}

			throw error;
		}
	}
}

async function refuseExisting(name: string, dir: string): Promise<void> {
	try {
		await fs.lstat(dir);
	} catch (error) {
		if (errnoCode(error) === 'ENOENT') {
			return;
		}

		throw error;
	}

	throw targetExists(name, dir);
}

function withBy<T extends object>(request: T, options: RelocateOptions): T & {by?: string} {
	return options.requestedBy ? {...request, by: options.requestedBy} : request;
}
