import {STAGES, type Stage} from '../paths.js';
import {ownValue} from '../own-key.js';

/** How a project earns its keep; decides where Stable and Public lead. */
export const BUSINESS_MODELS = ['open-source', 'commercial', 'hybrid'] as const;
export type BusinessModel = (typeof BUSINESS_MODELS)[number];

/** The model a project gets when nobody said otherwise (e.g. a folder added by hand). */
export const DEFAULT_MODEL: BusinessModel = 'open-source';

/** Where a Stable or Public project of each model leads. */
export const MODEL_LEADS: Record<BusinessModel, {stable: string; public: string}> = {
	'open-source': {stable: 'Self-host', public: 'GitHub'},
	commercial: {stable: 'Sales (paid)', public: 'Partners (API)'},
	hybrid: {stable: 'Core free', public: 'Premium'},
};

/** Where a Stable/Public project of `model` leads, or undefined for the earlier stages. */
export function leadFor(model: BusinessModel, stage: Stage): string | undefined {
	if (stage === 'stable' || stage === 'public') {
		return MODEL_LEADS[model][stage];
	}

	return undefined;
}

/** A place a project folder can be: one of the stages, or the archive. */
export type Location = Stage | 'archive';
export const LOCATIONS: readonly Location[] = [...STAGES, 'archive'];

/** One change of place in a project's life; the last entry's `to` is where it is. */
export type HistoryEntry = {
	/** null for the entry that records the project's creation or discovery. */
	from: Location | null;
	to: Location;
	/** ISO time. */
	at: string;
	reason: string;
	/** Gates were overridden. */
	forced: boolean;
	/** Ids of the gates that failed when the move was forced. */
	failedGates?: string[];
	/** Who asked: 'cli', 'tui', a user name … */
	by?: string;
};

export type ProjectNote = {at: string; text: string};

/** What the workspace remembers about one project besides its folder. */
export type ProjectRecord = {
	model: BusinessModel;
	description: string;
	/** ISO time. */
	created: string;
	history: HistoryEntry[];
	notes: ProjectNote[];
};

/** The place a record says its project is (last history entry), if any. */
export function recordedLocation(record: ProjectRecord): Location | undefined {
	return record.history.at(-1)?.to;
}

/** The kinds of folder renames that go through the intent protocol. */
export const MOVE_KINDS = ['move', 'archive', 'restore', 'trash'] as const;
export type MoveKind = (typeof MOVE_KINDS)[number];

/**
 * A rename about to happen, written to the state BEFORE the rename so that a
 * crash at any instant can be finished or undone by looking where the folder
 * actually is. Paths are relative to the workspace root.
 */
export type MoveIntent = {
	id: string;
	kind: MoveKind;
	name: string;
	from: Location;
	/** 'trash' for rm. */
	to: Location | 'trash';
	fromPath: string;
	toPath: string;
	at: string;
	reason: string;
	forced: boolean;
	failedGates?: string[];
	by?: string;
};

/** A removed project waiting in .cws/trash. */
export type TrashRecord = {
	name: string;
	/** Folder relative to the workspace root, e.g. .cws/trash/foo-20261126T010203Z; null if it had no folder. */
	folder: string | null;
	/** ISO time of the removal. */
	at: string;
	from: Location | null;
	record: ProjectRecord;
};

/** The payload of .cws/state.json. */
export type BoardState = {
	projects: Record<string, ProjectRecord>;
	pending: MoveIntent | null;
	trash: TrashRecord[];
};

/**
 * The record of project `name`, or undefined when the state has none. Own
 * keys only: the projects map is a plain object, and "constructor" is a
 * valid project name that a bare `projects[name]` would find on
 * Object.prototype (a function, not a record). Every look-up of a record by
 * a name that a person or a folder supplies goes through here.
 */
export function recordOf(state: Pick<BoardState, 'projects'>, name: string): ProjectRecord | undefined {
	return ownValue(state.projects, name);
}

export function emptyBoardState(): BoardState {
	return {projects: {}, pending: null, trash: []};
}
