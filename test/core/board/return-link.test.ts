import {lstat, mkdir, mkdtemp, readFile, readlink, rm, symlink, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {returnLink} from '../../../source/core/board/relocate.js';

let dir: string;
let victim: string;
beforeEach(async () => {
	dir = await mkdtemp(path.join(os.tmpdir(), 'cws-return-link-'));
	victim = path.join(dir, 'victim');
	await mkdir(victim);
	await writeFile(path.join(victim, 'secret.txt'), 'keep me\n');
	await mkdir(path.join(dir, 'sandbox'));
	await mkdir(path.join(dir, 'active'));
});
afterEach(async () => {
	await rm(dir, {recursive: true, force: true});
});

// A move that finds it carried a symbolic link (its source was swapped for one
// after the checks) takes the link back, or removes it when its old place was
// taken again meanwhile; what the link points to is never touched.
describe('a symbolic link a move carried into a stage', () => {
	it('goes back to where it was when that name is free', async () => {
		const moved = path.join(dir, 'active', 'app');
		await symlink(victim, moved);
		expect(await returnLink(moved, path.join(dir, 'sandbox', 'app'))).toBe('returned');
		expect(await readlink(path.join(dir, 'sandbox', 'app'))).toBe(victim);
		await expect(lstat(moved)).rejects.toMatchObject({code: 'ENOENT'});
	});

	it('is removed when a folder is back in its old place, which stays as it is', async () => {
		const moved = path.join(dir, 'active', 'app');
		await symlink(victim, moved);
		const source = path.join(dir, 'sandbox', 'app');
		await mkdir(source);
		await writeFile(path.join(source, 'work.txt'), 'project\n');
		expect(await returnLink(moved, source)).toBe('removed');
		await expect(lstat(moved)).rejects.toMatchObject({code: 'ENOENT'});
		expect(await readFile(path.join(source, 'work.txt'), 'utf8')).toBe('project\n');
		expect(await readFile(path.join(victim, 'secret.txt'), 'utf8')).toBe('keep me\n');
	});

	it('is removed, never written over, when a file took its old place', async () => {
		const moved = path.join(dir, 'active', 'app');
		await symlink(victim, moved);
		const source = path.join(dir, 'sandbox', 'app');
		await writeFile(source, 'someone\'s file\n');
		expect(await returnLink(moved, source)).toBe('removed');
		expect(await readFile(source, 'utf8')).toBe('someone\'s file\n');
		expect(await readFile(path.join(victim, 'secret.txt'), 'utf8')).toBe('keep me\n');
	});
});
