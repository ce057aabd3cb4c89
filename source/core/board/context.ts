import fs from 'node:fs/promises';
import path from 'node:path';
import {configSection, readConfigPayload} from '../config-file.js';
import {CwsError, errnoCode} from '../errors.js';
import {STAGES, type Stage, type WorkspacePaths} from '../paths.js';
import type {Store} from '../store.js';
import {BUSINESS_MODELS, type BusinessModel, type Location} from './model.js';
import {assertInsideWorkspace, assertProjectName, assertRealFolder} from './names.js';

/** What the board needs of an opened workspace (openWorkspace's result fits). */
export type BoardWorkspace = {paths: WorkspacePaths; store: Store};

/** The folder that holds projects at `location`. */
export function locationDir(paths: WorkspacePaths, location: Location): string {
	return location === 'archive' ? paths.archive : paths.stageDir[location];
}

/** Absolute folder of project `name` at `location`. */
export function projectDir(paths: WorkspacePaths, location: Location, name: string): string {
	return path.join(locationDir(paths, location), name);
}

/** `absolute` relative to the root, with forward slashes, for records in the state file. */
export function toRelative(paths: WorkspacePaths, absolute: string): string {
	return path.relative(paths.root, absolute).split(path.sep).join('/');
}

export function fromRelative(paths: WorkspacePaths, relative: string): string {
	return path.join(paths.root, ...relative.split('/'));
}

export function isStage(value: unknown): value is Stage {
	return typeof value === 'string' && (STAGES as readonly string[]).includes(value);
}

/** Throws a CwsError('BAD_STAGE') naming the stages unless `value` is one. */
export function assertStage(value: unknown): asserts value is Stage {
	if (!isStage(value)) {
		throw new CwsError('BAD_STAGE', `Unknown stage ${JSON.stringify(value)}.`, {hint: `Use one of: ${STAGES.join(', ')}.`});
	}
}

export function assertModel(value: unknown): asserts value is BusinessModel {
	if (typeof value !== 'string' || !(BUSINESS_MODELS as readonly string[]).includes(value)) {
		throw new CwsError('BAD_MODEL', `Unknown business model ${JSON.stringify(value)}.`, {hint: `Use one of: ${BUSINESS_MODELS.join(', ')}.`});
	}
}

/** Every place where a folder called `name` exists (stages, then archive). */
export async function findProjectFolders(paths: WorkspacePaths, name: string): Promise<Location[]> {
	assertProjectName(name);
	const found: Location[] = [];
	for (const location of [...STAGES, 'archive'] as const) {
		try {
			await fs.lstat(projectDir(paths, location, name));
			found.push(location);
		} catch (error) {
			if (errnoCode(error) !== 'ENOENT') {
				throw error;
			}
		}
	}

	return found;
}

/**
 * The one place project `name` is. Refuses a project that is nowhere, in two
 * places, a symlink, or (unless `archived` is allowed) in the archive.
 */
export async function locateProject(paths: WorkspacePaths, name: string, options: {allowArchive?: boolean} = {}): Promise<Location> {
	const found = await findProjectFolders(paths, name);
	if (found.length === 0) {
		throw new CwsError('NOT_FOUND', `No project "${name}" in ${paths.root}.`, {hint: 'Run `cws list` to see the projects.'});
	}

	if (found.length > 1) {
		// A linked stage folder makes a second place appear: name the link, not a duplicate.
		for (const location of found) {
			await assertSafeProject(paths, location, name);
		}

		throw new CwsError('AMBIGUOUS', `Project "${name}" has folders in ${found.join(' and ')}; it must be in exactly one place.`, {
			hint: `Keep one folder and move or rename the other (e.g. ${found.slice(1).map(location => toRelative(paths, projectDir(paths, location, name))).join(', ')}).`,
		});
	}

	const location = found[0]!;
	if (location === 'archive' && !options.allowArchive) {
		throw new CwsError('ARCHIVED', `Project "${name}" is archived.`, {hint: `Run \`cws restore ${name}\` first.`});
	}

	await assertSafeProject(paths, location, name);
	return location;
}

/** Refuses symlinked stage/project folders and anything resolving outside the root. */
export async function assertSafeProject(paths: WorkspacePaths, location: Location, name: string): Promise<void> {
	const parent = locationDir(paths, location);
	await assertRealFolder(parent, location === 'archive' ? 'Archive folder' : 'Stage folder');
	const dir = path.join(parent, name);
	await assertRealFolder(dir, 'Project folder', {allowMissing: true});
	await assertInsideWorkspace(paths.root, dir);
}

/** Workspace policy the board reads from .cws/config.json (section "board"). */
export type BoardConfig = {
	/** A sandbox project with no content change for this many days is stale. */
	sandboxStaleDays: number;
	/** Timeout of a project's test command when a gate runs it. */
	testTimeoutMs: number;
};

export const DEFAULT_BOARD_CONFIG: BoardConfig = {sandboxStaleDays: 30, testTimeoutMs: 300_000};

/**
 * Reads the "board" section of .cws/config.json, plain JSON or inside the
 * store's envelope. A missing file means defaults; a file that cannot be
 * parsed is an error (a policy silently replaced by defaults could archive
 * projects the user meant to keep).
 */
export async function readBoardConfig(paths: WorkspacePaths): Promise<BoardConfig> {
	const section = configSection(await readConfigPayload(paths), 'board');
	const board = isObject(section) ? section : {};
	const config = {...DEFAULT_BOARD_CONFIG};
	const days = board['sandboxStaleDays'];
	if (typeof days === 'number' && Number.isFinite(days) && days > 0) {
		config.sandboxStaleDays = days;
	}

	const seconds = board['testTimeoutSeconds'];
	if (typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0) {
		config.testTimeoutMs = seconds * 1000;
	}

	return config;
}

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}
