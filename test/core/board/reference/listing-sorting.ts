// The listing builder that sorts every card by stage and name: the reference
// that buildListing (source/core/board/listing.ts) must agree with.
import path from 'node:path';
import type {ArchivedProject, BoardListing, BoardProblem, FolderListing, MissingProject, ProjectCard} from '../../../../source/core/board/listing.js';
import {STAGES, type Stage, type WorkspacePaths} from '../../../../source/core/paths.js';
import {
	DEFAULT_MODEL, leadFor, recordedLocation,
	type BoardState, type Location, type ProjectRecord,
} from '../../../../source/core/board/model.js';
import {isValidProjectName} from '../../../../source/core/board/names.js';

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
	const problems: BoardProblem[] = [];
	// Where each name was seen: its first location, and every one for a name seen twice.
	const seen = new Map<string, Location>();
	const duplicates = new Map<string, Location[]>();
	const cards: ProjectCard[] = [];
	const archived: ArchivedProject[] = [];
	for (const location of [...STAGES, 'archive'] as const) {
		const folder = folders[location];
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

			if (!isValidProjectName(name)) {
				problems.push({kind: 'bad-name', path: dir, message: `${relative(paths, dir)}: folder name not allowed (lowercase a-z, 0-9, ".", "_", "-"; up to 64). Rename it to show it on the board.`});
				continue;
			}

			const first = seen.get(name);
			if (first === undefined) {
				seen.set(name, location);
			} else {
				duplicates.set(name, [...(duplicates.get(name) ?? [first]), location]);
			}

			const record = state.projects[name];
			if (location === 'archive') {
				archived.push(record ? {name, dir, record} : {name, dir});
				continue;
			}

			cards.push(makeCard(paths, location, name, dir, record, input.bornOf));
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
	for (const [name, record] of Object.entries(state.projects)) {
		if (!seen.has(name)) {
			missing.push({name, recorded: recordedLocation(record), record});
		}
	}

	if (state.pending) {
		const intent = state.pending;
		problems.push({kind: 'pending', path: intent.fromPath, message: `An interrupted ${intent.kind} of "${intent.name}" (${intent.from} → ${intent.to}) is finished or undone at the next change.`});
	}

	cards.sort(compareCards);
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

	const where = record ? recordedLocation(record) : undefined;
	if (where !== undefined && where !== stage) {
		card.movedFrom = where;
	}

	const lastMove = record?.history.at(-1);
	if (lastMove) {
		card.lastMove = lastMove;
	}

	return card;
}

const STAGE_ORDER = new Map<string, number>(STAGES.map((stage, index) => [stage, index]));

function compareCards(a: ProjectCard, b: ProjectCard): number {
	return (STAGE_ORDER.get(a.stage)! - STAGE_ORDER.get(b.stage)!) || (a.name < b.name ? -1 : (a.name > b.name ? 1 : 0));
}

function relative(paths: WorkspacePaths, absolute: string): string {
	return path.relative(paths.root, absolute);
}
