import {spawn} from 'node:child_process';
import {chmod, lstat, mkdir, readFile, readdir, rm, symlink, utimes, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {boardStateSpec} from '../../source/core/board/schema.js';
import {Store} from '../../source/core/store.js';
import type {VerifyReport} from '../../source/core/verify.js';
import {makeTemp, removeTemp, runCws} from './run-cws.js';

let home: string;
const temps: string[] = [];

beforeAll(async () => {
	home = await makeTemp();
});

afterAll(async () => {
	await removeTemp(home);
});

afterEach(async () => {
	await Promise.all(temps.splice(0).map(removeTemp));
});

async function workspace(): Promise<string> {
	const base = await makeTemp('cws-verify-');
	temps.push(base);
	const root = path.join(base, 'ws');
	expect((await runCws(['init', root], {home})).code).toBe(0);
	return root;
}

/** Two committed generations of state.json (so one backup older than the file), marked 'one' and 'two'. */
async function writeState(root: string): Promise<Store> {
	const store = new Store(path.join(root, '.cws'));
	await store.update(boardStateSpec, state => ({...state, marker: 'one'}));
	await store.update(boardStateSpec, state => ({...state, marker: 'two'}));
	return store;
}

/** A pid that belonged to a process that has exited. */
async function deadPid(): Promise<number> {
	const child = spawn(process.execPath, ['-e', ''], {stdio: 'ignore'});
	await new Promise(resolve => child.once('exit', resolve));
	return child.pid!;
}

async function verify(root: string, ...flags: string[]): Promise<{code: number; report: VerifyReport; stderr: string}> {
	const result = await runCws(['verify', '--workspace', root, '--json', ...flags], {home});
	return {code: result.code, report: JSON.parse(result.stdout) as VerifyReport, stderr: result.stderr};
}

describe('cws verify', () => {
	it('passes a clean workspace, in text and JSON', async () => {
		const root = await workspace();
		await writeState(root);
		const text = await runCws(['verify', '--workspace', root], {home});
		expect(text.code).toBe(0);
		expect(text.stdout).toContain('No problems found.');
		expect(text.stdout).toMatch(/\.cws\/state\.json: ok \(generation 2, 2 backups\)/);
		const {code, report} = await verify(root);
		expect(code).toBe(0);
		expect(report.ok).toBe(true);
		expect(report.issues).toEqual([]);
		expect(report.stateFiles).toContainEqual({name: 'state.json', status: 'ok', generation: 2, backups: 2, schema: true});
		expect(report.stateFiles).toContainEqual({name: 'config.json', status: 'missing', backups: 0, schema: true});
	});

	it('finds damage without changing anything, repairs it with --repair, then passes', async () => {
		const root = await workspace();
		await writeState(root);
		const meta = path.join(root, '.cws');
		const stateFile = path.join(meta, 'state.json');
		const garbage = '{"format":"cws-state","version":1,"generation":2,"sha256":"00';
		await writeFile(stateFile, garbage);
		await rm(path.join(root, 'public'), {recursive: true});
		await chmod(path.join(meta, 'backups'), 0o755);
		const temp = path.join(meta, `.state.json.cws-tmp-${await deadPid()}-0123456789ab`);
		await writeFile(temp, 'half a write', {mode: 0o600});
		const staleLock = path.join(meta, 'locks', 'workspace.lock');
		await mkdir(staleLock);
		const old = new Date(Date.now() - 120_000);
		await utimes(staleLock, old, old);

		const found = await verify(root);
		expect(found.code).toBe(1);
		expect(found.report.ok).toBe(false);
		const problems = found.report.issues.map(issue => [issue.area, path.relative(root, issue.path), issue.repairable]);
		expect(problems).toEqual(expect.arrayContaining([
			['layout', 'public', true],
			['mode', '.cws/backups', true],
			['leftover', path.relative(root, temp), true],
			['leftover', '.cws/locks/workspace.lock', true],
			['state', '.cws/state.json', true],
		]));
		expect(found.report.issues).toHaveLength(5);
		expect(found.report.issues.find(issue => issue.area === 'state')?.problem).toContain('truncated or not JSON');
		// Verifying alone changed nothing.
		expect(await readFile(stateFile, 'utf8')).toBe(garbage);
		await expect(lstat(path.join(root, 'public'))).rejects.toThrow();
		expect((await lstat(temp)).isFile()).toBe(true);
		expect(await readdir(path.join(meta, 'quarantine'))).toEqual([]);

		const text = await runCws(['verify', '--workspace', root], {home});
		expect(text.code).toBe(1);
		expect(text.stdout).toContain('Problems (5):');
		expect(text.stdout).toContain('Run `cws verify --repair` to fix them.');

		const repaired = await runCws(['verify', '--workspace', root, '--repair'], {home});
		expect(repaired.code).toBe(0);
		expect(repaired.stdout).toContain('Repaired (5):');
		expect(repaired.stdout).toContain('generation 2 was restored from its backup');
		expect(repaired.stdout).toContain('All 5 problems were repaired.');

		const store = new Store(meta);
		const loaded = await store.read(boardStateSpec);
		expect((loaded.data as {marker?: string}).marker).toBe('two');
		expect(loaded.recovered).toBeUndefined();
		const quarantined = await readdir(path.join(meta, 'quarantine'), {recursive: true});
		const copies = await Promise.all(quarantined.map(async name => {
			const full = path.join(meta, 'quarantine', name);
			return (await lstat(full)).isFile() ? readFile(full, 'utf8') : undefined;
		}));
		expect(copies).toContain(garbage);
		expect(((await lstat(path.join(root, 'public'))).mode & 0o777)).toBe(0o700);
		expect(((await lstat(path.join(meta, 'backups'))).mode & 0o777)).toBe(0o700);
		await expect(lstat(temp)).rejects.toThrow();
		await expect(lstat(staleLock)).rejects.toThrow();

		const after = await verify(root);
		expect(after.code).toBe(0);
		expect(after.report.issues).toEqual([]);
	});

	it('exits 1 after --repair when something cannot be fixed without losing data', async () => {
		const root = await workspace();
		const meta = path.join(root, '.cws');
		const bad = '{"format":"cws-state","version":1,"generation":1,"sha256":"' + '0'.repeat(64) + '","payload":{}}';
		await writeFile(path.join(meta, 'state.json'), bad, {mode: 0o600});
		const elsewhere = path.join(path.dirname(root), 'elsewhere');
		await mkdir(elsewhere);
		await symlink(elsewhere, path.join(root, 'sandbox', 'linked'));

		const result = await runCws(['verify', '--workspace', root, '--repair'], {home});
		expect(result.code).toBe(1);
		expect(result.stdout).toContain('checksum mismatch');
		expect(result.stdout).toContain('no valid backup');
		expect(result.stdout).toContain('sandbox/linked: project folder is a symbolic link');
		expect(result.stdout).toContain('2 problems left.');
		expect(await readFile(path.join(meta, 'state.json'), 'utf8')).toBe(bad);
	});

	it('checks a state file of a newer format as damaged, not as valid', async () => {
		const root = await workspace();
		await writeState(root);
		const stateFile = path.join(root, '.cws/state.json');
		const envelope = JSON.parse(await readFile(stateFile, 'utf8')) as {version: number};
		envelope.version = 99;
		await writeFile(stateFile, JSON.stringify(envelope));
		const {code, report} = await verify(root);
		expect(code).toBe(1);
		expect(report.issues[0]?.problem).toContain('format version 99 is newer');
	});

	it('checks the envelope of a state file it does not know, and never repairs it', async () => {
		const root = await workspace();
		const unknown = path.join(root, '.cws/future.json');
		await writeFile(unknown, '{"format":"cws-state","version":7,"generation":1,"sha256":"' + 'a'.repeat(64) + '","payload":{}}', {mode: 0o600});
		const {code, report} = await verify(root, '--repair');
		expect(code).toBe(1);
		expect(report.stateFiles).toContainEqual({name: 'future.json', status: 'damaged', generation: 1, backups: 0, schema: false});
		expect(report.issues).toHaveLength(1);
		expect(report.issues[0]).toMatchObject({area: 'state', repairable: false});
		expect(report.issues[0]?.problem).toContain('checksum mismatch');
	});

	it('refuses a folder that is not a workspace', async () => {
		const base = await makeTemp('cws-verify-');
		temps.push(base);
		const result = await runCws(['verify', '--workspace', base], {home});
		expect(result.code).toBe(1);
		expect(result.stderr).toContain(`There is no workspace at ${base}`);
	});
});
