/**
 * A job starts while its project is being moved: the stages are listed one
 * after the other, so for an instant the project can be in none of them.
 * The look-up asks again before it believes "not found"; a project that is
 * really gone, or a bad name, is still refused.
 */
import {rename} from 'node:fs/promises';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {findProject, findProjectSettled} from '../../../source/core/queue/project.js';
import {tempDirs} from '../../helpers/tmp.js';
import {makeGitProject, makeWorkspace} from './helpers.js';

const dirs = tempDirs('queue-moved-start');
afterEach(async () => dirs.cleanupAll());

describe('finding the project of a job that starts during a move', () => {
	it('a project missing from every stage for an instant is found once it lands', async () => {
		const root = await dirs.create();
		const ws = await makeWorkspace(path.join(root, 'ws'));
		const dir = await makeGitProject(ws, 'web', 'stable');
		// Out of every stage, as between the two stage listings of a move.
		const away = path.join(root, 'web-in-flight');
		await rename(dir, away);
		await expect(findProject(ws.paths, 'web')).rejects.toMatchObject({code: 'NOT_FOUND'});

		const settled = findProjectSettled(ws.paths, 'web');
		setTimeout(() => void rename(away, path.join(ws.paths.stageDir.active, 'web')), 30);
		expect(await settled).toEqual({name: 'web', stage: 'active', dir: path.join(ws.paths.stageDir.active, 'web')});
	});

	it('a project that stays gone is NOT_FOUND after a few tries, a bad name at once', async () => {
		const root = await dirs.create();
		const ws = await makeWorkspace(path.join(root, 'ws'));
		const started = Date.now();
		await expect(findProjectSettled(ws.paths, 'gone')).rejects.toMatchObject({code: 'NOT_FOUND'});
		// Four pauses of 40, 80, 120 and 160 ms: it did ask again.
		expect(Date.now() - started).toBeGreaterThanOrEqual(350);
		await expect(findProjectSettled(ws.paths, '../escape')).rejects.toMatchObject({code: 'BAD_NAME'});
	});
});
