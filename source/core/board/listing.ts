import type {Dirent} from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import {errnoCode} from '../errors.js';
import {STAGES, type Stage, type WorkspacePaths} from '../paths.js';
import type {Activity} from './activity.js';
import type {GitState} from './git.js';
import {
	DEFAULT_MODEL, leadFor, recordOf, recordedLocation,
	type BoardState, type BusinessModel, type HistoryEntry, type Location, type MoveIntent, type ProjectRecord,
} from './model.js';
import {isValidProjectName} from './names.js';

/** One project folder as the board shows it. */
export type ProjectCard = {
	/** Stable identity across refreshes: the folder relative to the root, e.g. 'active/api'. */
	key: string;
	name: string;
	stage: Stage;
	/** Absolute folder. */
	dir: string;
	model: BusinessModel;
	description: string;
	/** ISO time; for a folder added by hand, its birth (or modification) time. */
	created: string;
	/** Where a Stable/Public project leads for its model. */
	lead?: string;
	/** The workspace has metadata for it (false: a folder added by hand, shown with defaults). */
	recorded: boolean;
	/** Where the metadata last saw it, when that differs from its folder (moved by hand). */
	movedFrom?: Location;
	/** Another stage has a folder of the same name. */
	duplicate: boolean;
	lastMove?: HistoryEntry;
	historyCount: number;
	notesCount: number;
	/** Filled by an activity refresh. */
	activity?: Activity;
	/** Sandbox only: no content change for the configured age. Needs `activity`. */
	stale?: boolean;
	/** Filled by a git refresh. */
	git?: GitState;
};

/** A project whose metadata exists but whose folder is nowhere to be found. */
export type MissingProject = {name: string; recorded: Location | undefined; record: ProjectRecord};
/** An archived project in .cws/archive. */
export type ArchivedProject = {name: string; dir: string; record?: ProjectRecord};

export const PROBLEM_KINDS = ['symlink', 'bad-name', 'duplicate', 'pending', 'unreadable', 'not-a-folder'] as const;
/** Something in the workspace the user should look at; never hidden. */
export type BoardProblem = {kind: (typeof PROBLEM_KINDS)[number]; path: string; message: string};

/** Everything the board shows, as of `scannedAt`. */
export type BoardListing = {
	root: string;
	scannedAt: number;
	/** In stage order, then by name. */
	cards: ProjectCard[];
	archived: ArchivedProject[];
	missing: MissingProject[];
	pending: MoveIntent | null;
	problems: BoardProblem[];
	trashCount: number;
};

/** A folder's entries, as read by one readdir. */
export type FolderListing = {entries: Dirent[]; problem?: BoardProblem};

/**
 * Builds the listing from the stage/archive folder contents and the state.
 * Pure apart from `bornOf`, which supplies a creation time for folders the
 * metadata does not know.
 */
export function buildListing(input: {
	paths: WorkspacePaths;
	state: BoardState;
	folders: Record<Location, FolderListing>;
	bornOf: (dir: string) => number;
	now: number;
}): BoardListing {
	const {paths, state, folders} = input;
	const {projects} = state;
	const problems: BoardProblem[] = [];
	// Where each name was seen: its first location, and every one for a name seen twice.
	const seen = new Map<string, Location>();
	const duplicates = new Map<string, Location[]>();
	const cards: ProjectCard[] = [];
	const archived: ArchivedProject[] = [];
	for (const location of LOCATION_ORDER) {
		const folder = folders[location];
		// Where this stage's cards start, and whether they came in name order so far (see below).
		const first = cards.length;
		let previous = '';
		let inOrder = true;
		if (folder.problem) {
			problems.push(folder.problem);
		}

		const base = location === 'archive' ? paths.archive : paths.stageDir[location];
		for (const entry of folder.entries) {
			const {name} = entry;
			if (name.startsWith('.')) {
				continue;
			}

			// The base is absolute and normalised and the name one entry: no path.join per folder of a big workspace.
			const dir = `${base}${path.sep}${name}`;
			if (entry.isSymbolicLink()) {
				problems.push({kind: 'symlink', path: dir, message: `${relative(paths, dir)} is a symbolic link; cws ignores it. Replace it with the real folder.`});
				continue;
			}

			if (!entry.isDirectory()) {
				continue;
			}

			// Own keys only: a folder named "constructor" is no record of Object's.
			const record = recordOf(state, name);
			// A name the state has a record for passed the same check when the state was parsed.
			if (record === undefined && !isValidProjectName(name)) {
				problems.push({kind: 'bad-name', path: dir, message: `${relative(paths, dir)}: folder name not allowed (lowercase a-z, 0-9, ".", "_", "-"; up to 64). Rename it to show it on the board.`});
				continue;
			}

			const seenIn = seen.get(name);
			if (seenIn === undefined) {
				seen.set(name, location);
			} else {
				duplicates.set(name, [...(duplicates.get(name) ?? [seenIn]), location]);
			}
			if (location === 'archive') {
				archived.push(record ? {name, dir, record} : {name, dir});
				continue;
			}

			if (name < previous) {
				inOrder = false;
			}

			previous = name;

			cards.push(makeCard(paths, location, name, dir, record, input.bornOf));
		}

		// The stages come in board order, so the board is sorted when each
		// stage's cards are sorted by name; and Node's readdir already lists a
		// folder in byte order, which for a valid (ASCII) name is name order:
		// most listings need no sort at all.
		if (!inOrder) {
			sortSlice(cards, first, compareNames);
		}
	}

	// In the order the names were first seen, as the board lists them.
	for (const name of duplicates.size === 0 ? [] : seen.keys()) {
		const locations = duplicates.get(name);
		if (locations === undefined) {
			continue;
		}

		problems.push({kind: 'duplicate', path: name, message: `Project "${name}" has folders in ${locations.join(' and ')}; keep one.`});
		for (const card of cards) {
			if (card.name === name) {
				card.duplicate = true;
			}
		}
	}

	const missing: MissingProject[] = [];
	// Keys rather than entries: no [name, record] pair per project of a big workspace.
	for (const name of Object.keys(projects)) {
		if (!seen.has(name)) {
			const record = projects[name]!;
			missing.push({name, recorded: recordedLocation(record), record});
		}
	}

	if (state.pending) {
		const intent = state.pending;
		problems.push({kind: 'pending', path: intent.fromPath, message: `An interrupted ${intent.kind} of "${intent.name}" (${intent.from} → ${intent.to}) is finished or undone at the next change.`});
	}

	archived.sort((a, b) => a.name.localeCompare(b.name));
	missing.sort((a, b) => a.name.localeCompare(b.name));
	return {root: paths.root, scannedAt: input.now, cards, archived, missing, pending: state.pending, problems, trashCount: state.trash.length};
}

function makeCard(paths: WorkspacePaths, stage: Stage, name: string, dir: string, record: ProjectRecord | undefined, bornOf: (dir: string) => number): ProjectCard {
	const model = record?.model ?? DEFAULT_MODEL;
	const card: ProjectCard = {
		key: `${stage}/${name}`,
		name,
		stage,
		dir,
		model,
		description: record?.description ?? '',
		created: record?.created ?? new Date(bornOf(dir)).toISOString(),
		recorded: record !== undefined,
		duplicate: false,
		historyCount: record?.history.length ?? 0,
		notesCount: record?.notes.length ?? 0,
	};
	const lead = leadFor(model, stage);
	if (lead !== undefined) {
		card.lead = lead;
	}

	// The last history entry says where the record saw the project (recordedLocation).
	const lastMove = record?.history[record.history.length - 1];
	if (lastMove) {
		if (lastMove.to !== stage) {
			card.movedFrom = lastMove.to;
		}

		card.lastMove = lastMove;
	}

	return card;
}

const LOCATION_ORDER = [...STAGES, 'archive'] as const;

function compareNames(a: ProjectCard, b: ProjectCard): number {
	return a.name < b.name ? -1 : (a.name > b.name ? 1 : 0);
}

/** Sorts `items` from `start` to the end in place. */
function sortSlice<T>(items: T[], start: number, compare: (a: T, b: T) => number): void {
	if (start === 0) {
		items.sort(compare);
		return;
	}

	const tail = items.slice(start).sort(compare);
	for (let index = 0; index < tail.length; index++) {
		items[start + index] = tail[index]!;
	}
}

function relative(paths: WorkspacePaths, absolute: string): string {
	return path.relative(paths.root, absolute);
}

/**
 * Reads one stage or archive folder. A missing folder is an empty listing
 * (a fresh workspace); a symlinked or non-folder one is a problem, and its
 * contents are not listed.
 */
export async function readFolder(dir: string, what: string): Promise<FolderListing & {mtimeKey: string}> {
	let stat;
	try {
		stat = await fs.lstat(dir);
	} catch (error) {
		if (errnoCode(error) === 'ENOENT') {
			return {entries: [], mtimeKey: 'missing'};
		}

		throw error;
	}

	const mtimeKey = `${stat.ino}:${stat.mtimeMs}:${stat.ctimeMs}`;
	if (stat.isSymbolicLink()) {
		return {entries: [], mtimeKey, problem: {kind: 'symlink', path: dir, message: `${what} folder ${dir} is a symbolic link; cws refuses it. Replace it with a real folder.`}};
	}

	if (!stat.isDirectory()) {
		return {entries: [], mtimeKey, problem: {kind: 'not-a-folder', path: dir, message: `${what} ${dir} is not a folder.`}};
	}

	try {
		return {entries: await fs.readdir(dir, {withFileTypes: true}), mtimeKey};
	} catch (error) {
		return {entries: [], mtimeKey, problem: {kind: 'unreadable', path: dir, message: `${what} folder ${dir} cannot be read (${errnoCode(error) ?? String(error)}).`}};
	}
}
