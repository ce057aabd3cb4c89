import fs from 'node:fs/promises';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {archiveProject, newProject, removeProject, restoreProject} from '../../../source/core/board/lifecycle.js';
import {moveProject} from '../../../source/core/board/moves.js';
import {addNote, readNotes, readProject, setProjectInfo} from '../../../source/core/board/notes.js';
import {cleanupSandbox} from '../../../source/core/board/retention.js';
import {boardStateSpec} from '../../../source/core/board/schema.js';
import {emptyTrash, listTrash} from '../../../source/core/board/trash.js';
import {verifyBoard} from '../../../source/core/board/verify.js';
import {tempDirs} from '../../helpers/tmp.js';
import {git, makeProject, makeWorkspace, whereIs} from './helpers.js';

const temps = tempDirs('board-life');
afterAll(async () => temps.cleanupAll());

describe('project lifecycle', () => {
	it('creates a project 0700 with a record, refuses a second one, and --git makes a first commit', async () => {
		const ws = await makeWorkspace(await temps.create());
		const created = await newProject(ws, 'tool', {stage: 'active', model: 'hybrid', description: 'a tool', git: true});
		expect(created.warnings).toEqual([]);
		expect((await fs.stat(created.dir)).mode & 0o777).toBe(0o700);
		expect((await git(created.dir, 'log', '--format=%s')).trim()).toBe('Initial commit');
		expect((await git(created.dir, 'branch', '--show-current')).trim()).toBe('main');
		expect(created.record).toMatchObject({model: 'hybrid', description: 'a tool', history: [{from: null, to: 'active', reason: 'created'}]});
		await expect(newProject(ws, 'tool')).rejects.toMatchObject({code: 'EXISTS'});
		await expect(newProject(ws, 'tool2', {model: 'freeware' as never})).rejects.toMatchObject({code: 'BAD_MODEL'});
		await fs.rm(created.dir, {recursive: true});
		await expect(newProject(ws, 'tool')).rejects.toMatchObject({code: 'EXISTS', message: expect.stringMatching(/folder is missing/)});
	});

	it('archives, restores to the stage it left, and removes to the trash without deleting', async () => {
		const ws = await makeWorkspace(await temps.create());
		await newProject(ws, 'app', {stage: 'stable'});
		await fs.writeFile(path.join(ws.paths.stageDir.stable, 'app', 'data.txt'), 'precious');
		await archiveProject(ws, 'app');
		expect(await whereIs(ws, 'app')).toEqual(['archive']);
		await expect(moveProject(ws, 'app', 'active')).rejects.toMatchObject({code: 'ARCHIVED'});
		await expect(restoreProject(ws, 'missing-one')).rejects.toMatchObject({code: 'NOT_FOUND'});
		const restored = await restoreProject(ws, 'app');
		expect(restored.to).toBe('stable');
		expect(await whereIs(ws, 'app')).toEqual(['stable']);
		await expect(restoreProject(ws, 'app')).rejects.toMatchObject({code: 'NOT_ARCHIVED'});

		const removed = await removeProject(ws, 'app', {now: () => new Date('2026-01-02T03:04:05Z')});
		expect(removed.folder).toBe('.cws/trash/app-20260102T030405Z');
		expect(await whereIs(ws, 'app')).toEqual([]);
		expect(await fs.readFile(path.join(ws.paths.root, removed.folder!, 'data.txt'), 'utf8')).toBe('precious');
		const {data} = await ws.store.read(boardStateSpec);
		expect(data.projects['app']).toBeUndefined();
		expect(data.trash).toEqual([expect.objectContaining({name: 'app', from: 'stable', folder: removed.folder})]);
		expect((await verifyBoard(ws)).errors).toEqual([]);

		// The same name can be reused and removed again without clashing in the trash.
		await newProject(ws, 'app');
		const again = await removeProject(ws, 'app', {now: () => new Date('2026-01-02T03:04:05Z')});
		expect(again.folder).toBe('.cws/trash/app-20260102T030405Z-2');
		expect((await listTrash(ws)).map(item => item.folder)).toEqual([removed.folder, again.folder]);
	});

	it('empties the trash only past the age given, folder first', async () => {
		const ws = await makeWorkspace(await temps.create());
		await newProject(ws, 'old');
		await newProject(ws, 'recent');
		await removeProject(ws, 'old', {now: () => new Date(Date.now() - 40 * 86_400_000)});
		await removeProject(ws, 'recent');
		const dry = await emptyTrash(ws, {olderThanDays: 30, dryRun: true});
		expect(dry.removed.map(item => item.name)).toEqual(['old']);
		expect(await listTrash(ws)).toHaveLength(2);
		const done = await emptyTrash(ws, {olderThanDays: 30});
		expect(done).toMatchObject({kept: 1, dryRun: false});
		expect((await listTrash(ws)).map(item => item.name)).toEqual(['recent']);
		expect((await fs.readdir(ws.paths.trash)).length).toBe(1);
		await expect(emptyTrash(ws, {olderThanDays: -1})).rejects.toMatchObject({code: 'BAD_AGE'});
	});

	it('forgets a record whose folder vanished only through rm, into the trash list', async () => {
		const ws = await makeWorkspace(await temps.create());
		const {dir} = await newProject(ws, 'ghost');
		await fs.rm(dir, {recursive: true});
		expect((await verifyBoard(ws)).errors.map(error => error.code)).toEqual(['missing']);
		const removed = await removeProject(ws, 'ghost');
		expect(removed).toEqual({name: 'ghost', from: 'sandbox', folder: null});
		expect((await verifyBoard(ws)).ok).toBe(true);
		await expect(removeProject(ws, 'ghost')).rejects.toMatchObject({code: 'NOT_FOUND'});
	});

	it('archives stale sandbox projects on cleanup, never deletes; dry run changes nothing', async () => {
		const ws = await makeWorkspace(await temps.create());
		const idle = await makeProject(ws, 'sandbox', 'idle', {'a.txt': 'x'}, {git: false});
		await makeProject(ws, 'sandbox', 'busy', {'a.txt': 'x'}, {git: false});
		const old = new Date(Date.now() - 31 * 86_400_000);
		await fs.utimes(path.join(idle, 'a.txt'), old, old);
		const dry = await cleanupSandbox(ws, {dryRun: true});
		expect(dry.stale.map(project => project.name)).toEqual(['idle']);
		expect(dry.stale[0]!.idleDays).toBe(31);
		expect(await whereIs(ws, 'idle')).toEqual(['sandbox']);
		const done = await cleanupSandbox(ws);
		expect(done.archived).toEqual(['idle']);
		expect(await whereIs(ws, 'idle')).toEqual(['archive']);
		expect(await whereIs(ws, 'busy')).toEqual(['sandbox']);
		const {data} = await ws.store.read(boardStateSpec);
		expect(data.projects['idle']!.history.at(-1)).toMatchObject({from: 'sandbox', to: 'archive', reason: 'stale: no change for 31 days'});
	});

	it('keeps notes and info, adopting a folder added by hand', async () => {
		const ws = await makeWorkspace(await temps.create());
		await makeProject(ws, 'active', 'cloned', {}, {git: false});
		expect(await readNotes(ws, 'cloned')).toEqual([]);
		expect((await readProject(ws, 'cloned')).recorded).toBe(false);
		await addNote(ws, 'cloned', '  fixed the build\r\nnext: tests \u0007 ');
		await addNote(ws, 'cloned', 'second');
		expect((await readNotes(ws, 'cloned')).map(note => note.text)).toEqual(['fixed the build\nnext: tests', 'second']);
		const info = await readProject(ws, 'cloned');
		expect(info).toMatchObject({recorded: true, location: 'active', record: {history: [{from: null, to: 'active'}]}});
		await expect(addNote(ws, 'cloned', '   ')).rejects.toMatchObject({code: 'EMPTY_NOTE'});
		await expect(addNote(ws, 'nobody', 'x')).rejects.toMatchObject({code: 'NOT_FOUND'});
		expect(await setProjectInfo(ws, 'cloned', {model: 'commercial'})).toMatchObject({model: 'commercial'});
	});
});
