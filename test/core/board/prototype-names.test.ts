import fs from 'node:fs/promises';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {archiveProject, newProject, removeProject, restoreProject} from '../../../source/core/board/lifecycle.js';
import {recordOf} from '../../../source/core/board/model.js';
import {demoteProject, moveProject, promoteProject} from '../../../source/core/board/moves.js';
import {PROJECT_NAME_RULE, assertProjectName, isValidProjectName} from '../../../source/core/board/names.js';
import {addNote, readNotes, readProject, setProjectInfo} from '../../../source/core/board/notes.js';
import {scanBoard} from '../../../source/core/board/scanner.js';
import {boardStateSpec, parseBoardState} from '../../../source/core/board/schema.js';
import {listTrash} from '../../../source/core/board/trash.js';
import {verifyBoard} from '../../../source/core/board/verify.js';
import {parseSyncConfig} from '../../../source/core/queue/config.js';
import {computeStats, syncBadge} from '../../../source/core/queue/stats.js';
import {resolveTargets} from '../../../source/core/queue/targets.js';
import {SchemaError} from '../../../source/core/store.js';
import {exitNoteLines} from '../../../source/ui/exit-notes.js';
import {tempDirs} from '../../helpers/tmp.js';
import {makeWorkspace, whereIs} from './helpers.js';

const temps = tempDirs('board-proto');
afterAll(async () => temps.cleanupAll());

/** Every name Object.prototype has, "__proto__" included. */
const MEMBER_NAMES = Object.getOwnPropertyNames(Object.prototype);

/** Member names the naming rule lets through: project names like any other. */
const VALID_MEMBERS = MEMBER_NAMES.filter(name => isValidProjectName(name));

/** An ordinary name to compare with, of the same length as none of them (replaced in every text). */
const ORDINARY = 'plain';

/**
 * A project's whole life through the board core, as a list of outcomes with
 * the name, the workspace root and the clock taken out, so that two names'
 * lives can be compared as they are.
 */
async function life(name: string): Promise<unknown[]> {
	const ws = await makeWorkspace(path.join(await temps.create(), 'ws'));
	const outcomes: unknown[] = [];
	const record = async (step: string, run: () => Promise<unknown>) => {
		try {
			outcomes.push([step, 'ok', await run()]);
		} catch (error) {
			outcomes.push([step, 'error', (error as {code?: string}).code, (error as Error).message]);
		}
	};

	await record('new', async () => (await newProject(ws, name, {description: 'a project'})).record.history.map(entry => entry.to));
	await record('new again', async () => newProject(ws, name));
	await record('note', async () => (await addNote(ws, name, 'where I left off')).text);
	await record('notes', async () => (await readNotes(ws, name)).map(note => note.text));
	await record('info', async () => (await setProjectInfo(ws, name, {model: 'hybrid'})).model);
	await record('promote', async () => (await promoteProject(ws, name)).to);
	await record('move', async () => (await moveProject(ws, name, 'sandbox')).to);
	await record('move back', async () => (await moveProject(ws, name, 'active')).entry.to);
	await record('demote', async () => (await demoteProject(ws, name)).to);
	await record('read', async () => {
		const info = await readProject(ws, name);
		return [info.location, info.recorded, info.record.model, info.record.notes.length, info.record.history.map(entry => entry.to)];
	});
	await record('list', async () => {
		const listing = await scanBoard(ws);
		return [listing.cards.map(card => [card.name, card.stage, card.recorded, card.model]), listing.missing, listing.problems];
	});
	await record('verify', async () => verifyBoard(ws));
	await record('archive', async () => (await archiveProject(ws, name)).from);
	await record('restore', async () => (await restoreProject(ws, name)).to);
	await record('rm', async () => (await removeProject(ws, name)).from);
	await record('trash', async () => (await listTrash(ws)).map(item => [item.name, item.recorded]));
	await record('rm again', async () => removeProject(ws, name));
	await record('where', async () => whereIs(ws, name));
	// A record whose folder went missing: refused by new, moved to the trash alone by rm.
	await record('new once more', async () => (await newProject(ws, name)).stage);
	await fs.rm(path.join(ws.paths.stageDir.sandbox, name), {recursive: true, force: true});
	await record('new over a record', async () => newProject(ws, name));
	await record('rm a record', async () => removeProject(ws, name));
	await record('state', async () => {
		const {data} = await ws.store.read(boardStateSpec);
		return [Object.keys(data.projects), data.trash.map(item => [item.name, item.from])];
	});
	// A folder added by hand gets a record at its first note.
	await fs.mkdir(path.join(ws.paths.stageDir.active, name));
	await record('hand-made', async () => (await readProject(ws, name)).recorded);
	// Its card says it was made when its folder was, not when the board was looked at.
	await record('hand-made card', async () => {
		const later = Date.parse('2100-01-01T00:00:00.000Z');
		const card = (await scanBoard(ws, {now: () => later})).cards.find(each => each.name === name);
		return [card?.recorded, card && Date.parse(card.created) < later];
	});
	await record('note hand-made', async () => (await addNote(ws, name, 'found it')).text);
	await record('adopted', async () => {
		const info = await readProject(ws, name);
		return [info.recorded, info.record.history.map(entry => [entry.to, entry.reason])];
	});
	return JSON.parse(JSON.stringify(outcomes).replaceAll(ws.paths.root, '<root>').replaceAll(`"${name}`, '"<name>').replaceAll(`\\"${name}\\"`, '\\"<name>\\"').replaceAll(`/${name}`, '/<name>').replaceAll(`cws rm ${name}`, 'cws rm <name>')) as unknown[];
}

describe('project names that Object.prototype also has', () => {
	it('"constructor" is a valid name and every other member name is refused by the rule, "__proto__" included', () => {
		expect(VALID_MEMBERS).toEqual(['constructor']);
		for (const name of MEMBER_NAMES.filter(member => member !== 'constructor')) {
			expect(() => assertProjectName(name), name).toThrow(PROJECT_NAME_RULE);
		}

		expect(isValidProjectName('__proto__')).toBe(false);
	});

	it('a project named "constructor" lives the same life through the board core as any other', async () => {
		const ordinary = await life(ORDINARY);
		// The ordinary life itself went the way the board is meant to go.
		expect(ordinary.map(outcome => (outcome as unknown[]).slice(0, 2))).toEqual([
			['new', 'ok'], ['new again', 'error'], ['note', 'ok'], ['notes', 'ok'], ['info', 'ok'], ['promote', 'ok'], ['move', 'ok'],
			['move back', 'ok'], ['demote', 'ok'], ['read', 'ok'], ['list', 'ok'], ['verify', 'ok'], ['archive', 'ok'], ['restore', 'ok'],
			['rm', 'ok'], ['trash', 'ok'], ['rm again', 'error'], ['where', 'ok'], ['new once more', 'ok'], ['new over a record', 'error'],
			['rm a record', 'ok'], ['state', 'ok'], ['hand-made', 'ok'], ['hand-made card', 'ok'], ['note hand-made', 'ok'], ['adopted', 'ok'],
		]);
		expect(ordinary.find(outcome => (outcome as unknown[])[0] === 'verify')).toEqual(['verify', 'ok', {ok: true, errors: [], warnings: []}]);
		expect(ordinary.find(outcome => (outcome as unknown[])[0] === 'hand-made card')).toEqual(['hand-made card', 'ok', [false, true]]);
		for (const name of VALID_MEMBERS) {
			expect(await life(name), name).toEqual(ordinary);
		}
	});

	it('recordOf reads own records only', () => {
		const state = parseBoardState(JSON.parse('{"projects": {}, "pending": null, "trash": []}'));
		expect(recordOf(state, 'constructor')).toBeUndefined();
		expect(recordOf(state, 'toString')).toBeUndefined();
		expect(recordOf(state, '__proto__')).toBeUndefined();
	});

	it('a state with a "__proto__" project is refused when read and cannot change a prototype', () => {
		const record = {model: 'open-source', description: '', created: '2026-01-01T00:00:00.000Z', history: [{from: null, to: 'sandbox', at: '2026-01-01T00:00:00.000Z', reason: 'created', forced: false}], notes: []};
		const text = `{"projects": {"__proto__": ${JSON.stringify(record)}}, "pending": null, "trash": []}`;
		expect(() => parseBoardState(JSON.parse(text))).toThrow(SchemaError);
		expect(() => parseBoardState(JSON.parse(text))).toThrow(/"__proto__" is not a valid project name/);
		expect(Object.getPrototypeOf({})).toBe(Object.prototype);
		expect(({} as Record<string, unknown>)['model']).toBeUndefined();
	});

	it('sync settings give a project named "constructor" the targets of any other', async () => {
		const config = parseSyncConfig({backupRoot: '/backups'});
		const hasRemote = async () => false;
		const targets = async (project: string) => (await resolveTargets({config, project, stage: 'active', projectDir: '/nowhere', hasRemote})).map(target => target.name);
		expect(await targets('constructor')).toEqual(await targets(ORDINARY));
		expect(await targets('constructor')).toEqual(['backup']);
	});

	it('queue statistics and the sync badge read a project\'s and a target\'s own keys', () => {
		const history = {lastSuccess: {constructor: {constructor: {at: 1000, jobId: 'a'}, backup: {at: 2000, jobId: 'b'}}}};
		const stats = computeStats([], history, {now: 3000, staleAfterMs: 60_000});
		expect(stats.lastSync['constructor']).toEqual({at: 2000, ageMs: 1000, stale: false, targets: {constructor: 1000, backup: 2000}});
		const empty = computeStats([], {lastSuccess: {}}, {now: 3000, staleAfterMs: 60_000});
		expect(syncBadge([], empty, 'constructor', 3000)).toEqual(syncBadge([], empty, ORDINARY, 3000));
		expect(syncBadge([], empty, 'constructor', 3000)).toMatchObject({label: 'never synced'});
	});

	it('the exit summary tells a project named "constructor" that has no record how to write a note', () => {
		expect(exitNoteLines(['constructor'], {})).toEqual(exitNoteLines([ORDINARY], {}).map(line => line.replaceAll(ORDINARY, 'constructor')));
	});
});
