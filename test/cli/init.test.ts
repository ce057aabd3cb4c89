import {chmod, lstat, mkdir, readFile, readdir, rm, symlink, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {makeTemp, removeTemp, runCws} from './run-cws.js';

const STAGES = ['sandbox', 'active', 'stable', 'public'];
const META_DIRS = ['queue', 'backups', 'quarantine', 'archive', 'trash', 'locks'];

let home: string;
let savedUmask: number;
const temps: string[] = [];

beforeAll(async () => {
	home = await makeTemp();
	// The child inherits the umask: 000 would leave 0777/0666 without explicit chmods.
	savedUmask = process.umask(0o000);
});

afterAll(async () => {
	process.umask(savedUmask);
	await removeTemp(home);
});

afterEach(async () => {
	await Promise.all(temps.splice(0).map(removeTemp));
});

async function temp(): Promise<string> {
	const dir = await makeTemp('cws-init-');
	temps.push(dir);
	return dir;
}

/** Every entry under `root` with its type, mode and inode, to prove a rerun changes nothing. */
async function tree(root: string): Promise<string[]> {
	const out: string[] = [];
	const visit = async (dir: string) => {
		for (const name of (await readdir(dir)).sort()) {
			const full = path.join(dir, name);
			const stats = await lstat(full);
			out.push(`${path.relative(root, full)} ${stats.isDirectory() ? 'd' : 'f'} ${(stats.mode & 0o7777).toString(8)} ${stats.ino} ${stats.size}`);
			if (stats.isDirectory()) {
				await visit(full);
			}
		}
	};

	await visit(root);
	return out;
}

async function mode(target: string): Promise<number> {
	return (await lstat(target)).mode & 0o7777;
}

describe('cws init', () => {
	it('creates the layout with 0700 folders and 0600 files even with umask 000, and a rerun changes nothing', async () => {
		const root = path.join(await temp(), 'ws');
		const first = await runCws(['init', root], {home});
		expect(first.code).toBe(0);
		expect(first.stdout).toContain(`Created a new workspace at ${root}`);
		expect(await mode(root)).toBe(0o700);
		for (const dir of [...STAGES, '.cws', ...META_DIRS.map(name => `.cws/${name}`)]) {
			expect((await lstat(path.join(root, dir))).isDirectory(), dir).toBe(true);
			expect(await mode(path.join(root, dir)), dir).toBe(0o700);
		}

		for (const file of ['.cws/audit.log', '.cws/sessions.jsonl']) {
			expect((await lstat(path.join(root, file))).isFile(), file).toBe(true);
			expect(await mode(path.join(root, file)), file).toBe(0o600);
		}

		const before = await tree(root);
		const second = await runCws(['init', root], {home});
		expect(second.code).toBe(0);
		expect(second.stdout).toContain('nothing to do');
		expect(await tree(root)).toEqual(before);
	});

	it('completes a damaged layout and corrects modes, keeping what is there', async () => {
		const root = path.join(await temp(), 'ws');
		expect((await runCws(['init', root], {home})).code).toBe(0);
		await rm(path.join(root, 'stable'), {recursive: true});
		await chmod(path.join(root, '.cws/queue'), 0o755);
		await mkdir(path.join(root, 'sandbox/keep-me'));
		await writeFile(path.join(root, 'sandbox/keep-me/notes.txt'), 'hello');
		const result = await runCws(['init', '--workspace', root], {home});
		expect(result.code).toBe(0);
		expect(result.stdout).toContain('Completed the workspace');
		expect(result.stdout).toContain('  stable');
		expect(result.stdout).toContain('  .cws/queue');
		expect(await mode(path.join(root, 'stable'))).toBe(0o700);
		expect(await mode(path.join(root, '.cws/queue'))).toBe(0o700);
		expect(await readFile(path.join(root, 'sandbox/keep-me/notes.txt'), 'utf8')).toBe('hello');
	});

	it('chooses the root from [dir], --workspace, $CWS_WORKSPACE, then ~/claude-workspace', async () => {
		const base = await temp();
		const fromEnv = path.join(base, 'env-ws');
		const byEnv = await runCws(['init'], {home, env: {CWS_WORKSPACE: fromEnv}});
		expect(byEnv.stdout).toContain(`Created a new workspace at ${fromEnv}`);

		const fromFlag = path.join(base, 'flag-ws');
		const byFlag = await runCws(['init', '--workspace', fromFlag], {home, env: {CWS_WORKSPACE: fromEnv}});
		expect(byFlag.stdout).toContain(`Created a new workspace at ${fromFlag}`);

		const byDir = await runCws(['init', 'relative-ws'], {home, cwd: base});
		expect(byDir.stdout).toContain(`Created a new workspace at ${path.join(base, 'relative-ws')}`);

		const ownHome = await temp();
		const byDefault = await runCws(['init'], {home: ownHome});
		expect(byDefault.stdout).toContain(`Created a new workspace at ${path.join(ownHome, 'claude-workspace')}`);
		expect((await lstat(path.join(ownHome, 'claude-workspace/.cws'))).isDirectory()).toBe(true);

		const both = await runCws(['init', path.join(base, 'a'), '--workspace', path.join(base, 'b')], {home});
		expect(both.code).toBe(2);
	});

	it('refuses a root that is a symlink, creating nothing behind it', async () => {
		const base = await temp();
		const target = path.join(base, 'real');
		await mkdir(target);
		const link = path.join(base, 'link');
		await symlink(target, link);
		const result = await runCws(['init', link], {home});
		expect(result.code).toBe(1);
		expect(result.stderr).toContain(`${link} is a symbolic link`);
		expect(result.stderr.split('\n').length).toBeGreaterThanOrEqual(2); // message + hint
		expect(await readdir(target)).toEqual([]);
	});

	it('refuses a root that is a regular file, leaving it as it was', async () => {
		const base = await temp();
		const file = path.join(base, 'ws');
		await writeFile(file, 'not a workspace');
		const result = await runCws(['init', file], {home});
		expect(result.code).toBe(1);
		expect(result.stderr).toContain(`${file} is a file`);
		expect(await readFile(file, 'utf8')).toBe('not a workspace');
	});

	it('refuses a stage folder that is a symlink or a file', async () => {
		const base = await temp();
		const root = path.join(base, 'ws');
		expect((await runCws(['init', root], {home})).code).toBe(0);
		const elsewhere = path.join(base, 'elsewhere');
		await mkdir(elsewhere);
		await rm(path.join(root, 'active'), {recursive: true});
		await symlink(elsewhere, path.join(root, 'active'));
		const linked = await runCws(['init', root], {home});
		expect(linked.code).toBe(1);
		expect(linked.stderr).toContain(`${path.join(root, 'active')} is a symbolic link`);
		expect(await readdir(elsewhere)).toEqual([]);

		await rm(path.join(root, 'active'));
		await writeFile(path.join(root, 'active'), '');
		const file = await runCws(['init', root], {home});
		expect(file.code).toBe(1);
		expect(file.stderr).toContain(`${path.join(root, 'active')} is a file`);
	});
});
