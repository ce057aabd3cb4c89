import {CwsError} from '../errors.js';
import {findProjectFolders, locateProject, projectDir, type BoardWorkspace} from './context.js';
import {recordOf, type BusinessModel, type Location, type ProjectNote, type ProjectRecord} from './model.js';
import {assertProjectName} from './names.js';
import {WORKSPACE_LOCK} from './reconcile.js';
import {adopt, folderBirth} from './relocate.js';
import {boardStateSpec} from './schema.js';

/** Longest note accepted, in characters. */
export const NOTE_LIMIT = 10_000;

/** One project with where it is and everything recorded about it. */
export type ProjectInfo = {
	name: string;
	/** Where its folder is; null when the folder is missing. */
	location: Location | null;
	dir: string | null;
	/** The record (a default one for a folder added by hand). */
	record: ProjectRecord;
	recorded: boolean;
};

/** Reads project `name`: location, folder and record. */
export async function readProject(ws: BoardWorkspace, name: string): Promise<ProjectInfo> {
	assertProjectName(name);
	const [found, {data}] = await Promise.all([findProjectFolders(ws.paths, name), ws.store.read(boardStateSpec)]);
	const record = recordOf(data, name);
	if (found.length === 0) {
		if (!record) {
			throw notFound(ws, name);
		}

		return {name, location: null, dir: null, record, recorded: true};
	}

	const location = await locateProject(ws.paths, name, {allowArchive: true});
	const dir = projectDir(ws.paths, location, name);
	if (record) {
		return {name, location, dir, record, recorded: true};
	}

	const adopted = adopt({projects: {}, pending: null, trash: []}, name, location, await folderBirth(dir), new Date().toISOString());
	return {name, location, dir, record: recordOf(adopted, name)!, recorded: false};
}

/** The notes of project `name`, oldest first. */
export async function readNotes(ws: BoardWorkspace, name: string): Promise<ProjectNote[]> {
	return (await readProject(ws, name)).record.notes;
}

/** Appends a note to project `name` (adopting a folder added by hand). */
export async function addNote(ws: BoardWorkspace, name: string, text: string, options: {now?: () => Date} = {}): Promise<ProjectNote> {
	const clean = text.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000B-\u001F\u007F]/g, '').trim();
	if (clean === '') {
		throw new CwsError('EMPTY_NOTE', `The note for "${name}" is empty.`, {hint: `Pass the text: cws note ${name} "what happened"`});
	}

	if (clean.length > NOTE_LIMIT) {
		throw new CwsError('NOTE_TOO_LONG', `The note for "${name}" has ${clean.length} characters; the limit is ${NOTE_LIMIT}.`, {hint: 'Keep notes short; link to a file for more.'});
	}

	const note: ProjectNote = {at: (options.now ?? (() => new Date()))().toISOString(), text: clean};
	await changeRecord(ws, name, record => ({...record, notes: [...record.notes, note]}));
	return note;
}

/** Sets the business model and/or description of project `name`. */
export async function setProjectInfo(ws: BoardWorkspace, name: string, info: {model?: BusinessModel; description?: string}): Promise<ProjectRecord> {
	return changeRecord(ws, name, record => ({
		...record,
		...(info.model === undefined ? {} : {model: info.model}),
		...(info.description === undefined ? {} : {description: info.description.trim()}),
	}));
}

/**
 * Applies `change` to the record of `name` under the workspace lock (so a
 * record created for a folder added by hand names the place the folder is
 * while no move can run).
 */
async function changeRecord(ws: BoardWorkspace, name: string, change: (record: ProjectRecord) => ProjectRecord): Promise<ProjectRecord> {
	assertProjectName(name);
	return ws.store.withLock(WORKSPACE_LOCK, async () => {
		const found = await findProjectFolders(ws.paths, name);
		const location = found.length === 1 ? await locateProject(ws.paths, name, {allowArchive: true}) : undefined;
		const born = location ? await folderBirth(projectDir(ws.paths, location, name)) : Date.now();
		let result: ProjectRecord | undefined;
		await ws.store.update(boardStateSpec, state => {
			let next = state;
			if (!recordOf(state, name)) {
				if (!location) {
					throw found.length > 1 ? new CwsError('AMBIGUOUS', `Project "${name}" has folders in ${found.join(' and ')}.`, {hint: 'Keep one of them.'}) : notFound(ws, name);
				}

				next = adopt(state, name, location, born, new Date().toISOString());
			}

			result = change(recordOf(next, name)!);
			return {...next, projects: {...next.projects, [name]: result}};
		});
		return result!;
	});
}

function notFound(ws: BoardWorkspace, name: string): CwsError {
	return new CwsError('NOT_FOUND', `No project "${name}" in ${ws.paths.root}.`, {hint: 'Run `cws list` to see the projects.'});
}
