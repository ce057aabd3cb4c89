import fs from 'node:fs/promises';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {newProject} from '../../../source/core/board/lifecycle.js';
import {boardStateSpec} from '../../../source/core/board/schema.js';
import {verifyBoard} from '../../../source/core/board/verify.js';
import {spawnTs} from '../../helpers/child.js';
import {tempDirs} from '../../helpers/tmp.js';
import {makeWorkspace, whereIs} from './helpers.js';

const CHILD = 'test/fixtures/board/move-child.ts';
const temps = tempDirs('board-race');
afterAll(async () => temps.cleanupAll());

type Outcome = {ok: boolean; to?: string; code?: string; message?: string};

describe('two processes move the same project at once', () => {
	it.each([1, 2, 3])('one wins, the other is refused with a clear error (run %i)', async () => {
		const ws = await makeWorkspace(await temps.create());
		await newProject(ws, 'contested');
		const barrier = await temps.create();
		// Both reach the point after their gates before either takes the lock.
		const children = await Promise.all([
			spawnTs(CHILD, ['once', ws.paths.root, 'contested', 'active', barrier]),
			spawnTs(CHILD, ['once', ws.paths.root, 'contested', 'stable', barrier, '--force']),
		]);
		const outcomes = await Promise.all(children.map(async child => {
			const line = await child.waitForLine(/^\{/, 30_000);
			await child.exited;
			return JSON.parse(line) as Outcome;
		}));
		expect((await fs.readdir(barrier)).length).toBe(2);
		const winners = outcomes.filter(outcome => outcome.ok);
		const losers = outcomes.filter(outcome => !outcome.ok);
		expect(winners).toHaveLength(1);
		expect(losers).toHaveLength(1);
		expect(losers[0]).toMatchObject({code: 'MOVED_MEANWHILE'});
		expect(losers[0]!.message).toMatch(/another process moved it meanwhile \(it is now in (active|stable)\)/);

		const places = await whereIs(ws, 'contested');
		expect(places).toEqual([winners[0]!.to]);
		const {data} = await ws.store.read(boardStateSpec);
		expect(data.pending).toBeNull();
		expect(data.projects['contested']!.history.map(entry => entry.to)).toEqual(['sandbox', winners[0]!.to]);
		expect(await verifyBoard(ws)).toMatchObject({ok: true, errors: [], warnings: []});
		expect(await fs.readdir(path.join(ws.paths.stageDir.sandbox))).toEqual([]);
	});
});
