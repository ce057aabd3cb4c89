/**
 * A workspace whose state folder cannot be written: every command that must
 * write exits 1 with a message naming the file and saying what to do, and
 * nothing on disk changes. Root ignores permission bits, so as root the
 * workspace lives on a tmpfs remounted read-only; otherwise chmod does it.
 */
import {execFile} from 'node:child_process';
import {chmod, lstat, mkdir, readFile, readdir, rm, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {promisify} from 'node:util';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {boardStateSpec} from '../../source/core/board/schema.js';
import {Store} from '../../source/core/store.js';
import {makeTemp, removeTemp, runCws} from './run-cws.js';

const run = promisify(execFile);
const asRoot = process.getuid?.() === 0;

let home: string;
let base: string;
let root: string;
let snapshot: string[];
const orphan = '.config.json.cws-tmp-999999999-0123456789ab';

/** Paths, types, modes and contents of everything under `dir`. */
async function tree(dir: string): Promise<string[]> {
	const out: string[] = [];
	for (const name of (await readdir(dir, {recursive: true})).sort()) {
		const full = path.join(dir, name);
		const stats = await lstat(full);
		const content = stats.isFile() ? (await readFile(full)).toString('base64') : '';
		out.push(`${name} ${stats.isDirectory() ? 'd' : 'f'} ${(stats.mode & 0o7777).toString(8)} ${content}`);
	}

	return out;
}

async function makeReadOnly(): Promise<void> {
	if (asRoot) {
		await run('mount', ['-o', 'remount,ro', base], {timeout: 10_000});
	} else {
		for (const dir of [root, path.join(root, '.cws'), path.join(root, '.cws/quarantine'), path.join(root, '.cws/locks'), path.join(root, '.cws/backups')]) {
			await chmod(dir, 0o500);
		}
	}
}

beforeAll(async () => {
	home = await makeTemp();
	base = await makeTemp('cws-ro-');
	if (asRoot) {
		await run('mount', ['-t', 'tmpfs', '-o', 'size=8m,mode=0700', 'tmpfs', base], {timeout: 10_000});
	}

	root = path.join(base, 'ws');
	expect((await runCws(['init', root], {home})).code).toBe(0);
	const store = new Store(path.join(root, '.cws'));
	await store.update(boardStateSpec, state => ({...state, marker: 'one'}));
	await store.update(boardStateSpec, state => ({...state, marker: 'two'}));
	// Damage that --repair would fix on a writable disk.
	await writeFile(path.join(root, '.cws/state.json'), '{"format":"cws-state", "trunc');
	await rm(path.join(root, 'stable'), {recursive: true});
	await mkdir(path.join(root, 'sandbox/demo'), {mode: 0o700});
	// A temp file of a writer that died: the start-up sweep would remove it.
	await writeFile(path.join(root, '.cws', orphan), 'half', {mode: 0o600});
	await makeReadOnly();
	snapshot = await tree(root);
});

afterAll(async () => {
	if (asRoot) {
		await run('umount', [base], {timeout: 10_000}).catch(async () => run('umount', ['-l', base], {timeout: 10_000}));
	} else {
		for (const dir of [root, path.join(root, '.cws'), path.join(root, '.cws/quarantine'), path.join(root, '.cws/locks'), path.join(root, '.cws/backups')]) {
			await chmod(dir, 0o700).catch(() => undefined);
		}
	}

	await removeTemp(base);
	await removeTemp(home);
});

describe('a read-only state folder', () => {
	it('`cws verify --repair` exits 1 saying the disk is read-only, and changes nothing', async () => {
		const result = await runCws(['verify', '--workspace', root, '--repair'], {home});
		expect(result.code).toBe(1);
		expect(result.stdout).toContain('repair failed');
		expect(result.stdout).toMatch(asRoot ? /read-only/ : /permission denied/);
		expect(result.stdout).toContain(path.join(root, '.cws'));
		expect(await tree(root)).toEqual(snapshot);
	});

	it('`cws init` of a new workspace there exits 1 with a clear message', async () => {
		const target = asRoot ? path.join(base, 'other') : path.join(root, 'other');
		const result = await runCws(['init', target], {home});
		expect(result.code).toBe(1);
		expect(result.stderr).toContain(`Cannot write ${target}`);
		expect(result.stderr).toMatch(asRoot ? /read-only/ : /permission denied/);
		expect(result.stderr.trim().split('\n')).toHaveLength(2); // message, then what to do
		expect(await tree(root)).toEqual(snapshot);
	});

	it('a command that opens the workspace says the start-up sweep could not clean up, and changes nothing', async () => {
		const result = await runCws(['list', '--workspace', root, '--json'], {home});
		expect(result.stderr).toContain(`could not remove ${path.join(root, '.cws', orphan)}`);
		expect(result.stderr).toContain('cws verify --repair');
		expect(await tree(root)).toEqual(snapshot);
	});

	it('reading still works: `cws status` counts the projects', async () => {
		const result = await runCws(['status', '--workspace', root, '--json'], {home});
		// The stable folder is missing: status says how to fix that rather than guessing.
		expect(result.code).toBe(1);
		expect(result.stderr).toContain('cws verify --repair');
		expect(await tree(root)).toEqual(snapshot);
	});
});
