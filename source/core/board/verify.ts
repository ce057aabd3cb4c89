import {STAGES} from '../paths.js';
import type {BoardWorkspace} from './context.js';
import {buildListing, readFolder, type FolderListing} from './listing.js';
import {recordOf, recordedLocation, type Location} from './model.js';
import {boardStateSpec} from './schema.js';

/** One finding of verifyBoard. */
export type BoardIssue = {code: string; project?: string; message: string};

/** Whether the folders and the metadata agree; `errors` empty means consistent. */
export type BoardVerification = {ok: boolean; errors: BoardIssue[]; warnings: BoardIssue[]};

/**
 * Checks that every project is in exactly one place and that its history
 * agrees: no interrupted move pending, no record without a folder, no name
 * in two places, no symlinked stage or project folder, every history entry
 * starting where the previous one ended. A folder moved by hand is a
 * warning (recorded at its next change); so is a folder added by hand.
 */
export async function verifyBoard(ws: BoardWorkspace): Promise<BoardVerification> {
	const {paths} = ws;
	const {data: state} = await ws.store.read(boardStateSpec);
	const locations = [...STAGES, 'archive'] as const;
	const folders = Object.fromEntries(await Promise.all(locations.map(async location => [
		location,
		await readFolder(location === 'archive' ? paths.archive : paths.stageDir[location], location === 'archive' ? 'Archive' : `Stage "${location}"`),
	]))) as Record<Location, FolderListing>;
	const listing = buildListing({paths, state, folders, bornOf: () => Date.now(), now: Date.now()});
	const errors: BoardIssue[] = [];
	const warnings: BoardIssue[] = [];
	for (const problem of listing.problems) {
		const issue = {code: problem.kind, message: problem.message};
		(problem.kind === 'bad-name' ? warnings : errors).push(issue);
	}

	for (const missing of listing.missing) {
		errors.push({code: 'missing', project: missing.name, message: `"${missing.name}" is recorded${missing.recorded ? ` in ${missing.recorded}` : ''} but has no folder in any stage or the archive.`});
	}

	const places = [
		...listing.cards.map(card => [card.name, card.stage, card.recorded] as const),
		...listing.archived.map(entry => [entry.name, 'archive' as const, entry.record !== undefined] as const),
	];
	for (const [name, location, recorded] of places) {
		const record = recordOf(state, name);
		if (!recorded || !record) {
			warnings.push({code: 'unrecorded', project: name, message: `${location}/${name} was added outside cws; it gets a record at its first change.`});
			continue;
		}

		const where = recordedLocation(record);
		if (where !== location) {
			warnings.push({code: 'moved-outside', project: name, message: `"${name}" is in ${location} but its history ends in ${where ?? 'nothing'}; it was moved outside cws.`});
		}
	}

	for (const [name, record] of Object.entries(state.projects)) {
		record.history.forEach((entry, index) => {
			const previous = index === 0 ? null : record.history[index - 1]!.to;
			if (entry.from !== previous) {
				errors.push({code: 'history', project: name, message: `History of "${name}", entry ${index + 1}: starts in ${entry.from ?? 'nothing'} but the entry before ends in ${previous ?? 'nothing'}.`});
			}
		});
	}

	return {ok: errors.length === 0, errors, warnings};
}
