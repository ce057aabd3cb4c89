import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {addNote} from '../../../source/core/board/notes.js';
import {archiveProject, newProject, removeProject, restoreProject} from '../../../source/core/board/lifecycle.js';
import {checkGates, moveProject} from '../../../source/core/board/moves.js';
import {PROJECT_NAME_RULE, assertInsideWorkspace, assertProjectName, isValidProjectName} from '../../../source/core/board/names.js';
import {CwsError} from '../../../source/core/errors.js';
import {tempDirs} from '../../helpers/tmp.js';
import {HOSTILE_NAMES, makeWorkspace} from './helpers.js';

const temps = tempDirs('board-names');
afterAll(async () => temps.cleanupAll());


describe('project names', () => {
	it('accepts the documented shape', () => {
		for (const name of ['a', '0', 'my-tool', 'api.v2', 'a_b', 'x'.repeat(64), '9lives', 'a..b']) {
			expect(isValidProjectName(name), name).toBe(true);
		}
	});

	it('refuses every hostile name with a message that states the rule', () => {
		for (const name of HOSTILE_NAMES) {
			expect(isValidProjectName(name), JSON.stringify(name)).toBe(false);
			let caught: unknown;
			try {
				assertProjectName(name);
			} catch (error) {
				caught = error;
			}

			expect(caught, JSON.stringify(name)).toBeInstanceOf(CwsError);
			expect((caught as CwsError).code).toBe('BAD_NAME');
			expect((caught as CwsError).message).toContain(PROJECT_NAME_RULE);
			expect((caught as CwsError).message).not.toContain('\0');
		}
	});

	it('is refused by every operation and nothing is created anywhere', async () => {
		const parent = await temps.create();
		const root = path.join(parent, 'ws');
		const ws = await makeWorkspace(root);
		await newProject(ws, 'real');
		const before = await snapshot(parent);
		const tmpBefore = new Set(await fs.readdir(os.tmpdir()));
		for (const name of HOSTILE_NAMES) {
			const attempts = [
				newProject(ws, name),
				newProject(ws, name, {stage: 'public', git: true}),
				moveProject(ws, name, 'active', {force: true}),
				checkGates(ws, name),
				archiveProject(ws, name),
				restoreProject(ws, name),
				removeProject(ws, name),
				addNote(ws, name, 'x'),
			];
			for (const attempt of await Promise.allSettled(attempts)) {
				expect(attempt.status, JSON.stringify(name)).toBe('rejected');
				expect((attempt as PromiseRejectedResult).reason).toMatchObject({code: 'BAD_NAME'});
			}
		}

		expect(await snapshot(parent)).toEqual(before);
		const created = (await fs.readdir(os.tmpdir())).filter(entry => !tmpBefore.has(entry) && /passwd|escape|abs|upload|rf$/.test(entry));
		expect(created).toEqual([]);
	});

	it('checks containment by realpath', async () => {
		const root = await temps.create();
		await fs.mkdir(path.join(root, 'inside'));
		await expect(assertInsideWorkspace(root, path.join(root, 'inside', 'new'))).resolves.toBeUndefined();
		const outside = await temps.create();
		await fs.symlink(outside, path.join(root, 'link'));
		await expect(assertInsideWorkspace(root, path.join(root, 'link', 'x'))).rejects.toMatchObject({code: 'OUTSIDE_WORKSPACE'});
		await expect(assertInsideWorkspace(root, path.join(root, '..', 'x'))).rejects.toMatchObject({code: 'OUTSIDE_WORKSPACE'});
	});
});

/** Every path under `dir` with its type, sorted; state files' content aside. */
async function snapshot(dir: string): Promise<string[]> {
	const entries = await fs.readdir(dir, {recursive: true, withFileTypes: true});
	return entries
		.map(entry => `${path.relative(dir, path.join(entry.parentPath, entry.name))}${entry.isDirectory() ? '/' : ''}`)
		.filter(entry => !entry.includes('locks/') && !entry.includes('backups/'))
		.sort();
}
