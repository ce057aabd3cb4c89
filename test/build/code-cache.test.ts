import {spawn, spawnSync} from 'node:child_process';
import {chmod, chown, lstat, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {cwsCacheDir, loadCachedScript} from '../../source/ui/code-cache.js';
import {startCws, useCwsCleanup} from '../helpers/pty.js';

useCwsCleanup();

let tmp: string;
let cacheDir: string;
let script: string;

/**
 * A CommonJS script in the function Node wraps modules in, as the build writes
 * the interface's, with some functions so that V8's cache of it is more than a
 * header; `answer` tells versions apart.
 */
const scriptText = (answer: number, label = 'plain') => [
	'(function (exports, require, module, __filename, __dirname) {',
	'"use strict";',
	'function square(x) { return x * x; }',
	'function sum(list) { return list.reduce((a, b) => a + b, 0); }',
	`module.exports = {answer: ${answer}, total: sum([1, 2, 3].map(square)), file: __filename, required: typeof require('node:path').join, label: ${JSON.stringify(label)}};`,
	'})',
	'',
].join('\n');

type Exports = {answer: number; total: number; file: string; required: string; label: string};
const load = (file = script) => loadCachedScript<Exports>(file, {cacheDir, flavour: 'test'});

/** The one cache file in the cache folder. */
async function cacheFile(): Promise<string> {
	const names = (await readdir(cacheDir)).filter(name => name.startsWith('tui-'));
	expect(names).toHaveLength(1);
	return path.join(cacheDir, names[0]!);
}

beforeEach(async () => {
	tmp = await mkdtemp(path.join(os.tmpdir(), 'cws-code-cache-'));
	cacheDir = path.join(tmp, 'cache', 'cws');
	script = path.join(tmp, 'app.cjs');
	await writeFile(script, scriptText(42));
});

afterEach(async () => {
	await rm(tmp, {recursive: true, force: true});
});

describe('the compiled-code cache of the interface script', () => {
	it('runs the script, writes a private cache, and uses it on the next start', async () => {
		const first = load();
		expect(first.exports).toEqual({answer: 42, total: 14, file: script, required: 'function', label: 'plain'});
		expect(first.outcome).toBe('missing');
		expect(first.save()).toBe(true);
		expect(first.save()).toBe(false);
		const file = await cacheFile();
		expect((await stat(cacheDir)).mode & 0o777).toBe(0o700);
		expect((await stat(file)).mode & 0o777).toBe(0o600);

		const second = load();
		expect(second.outcome).toBe('used');
		expect(second.exports.total).toBe(14);
		// A cache that was used as it is is not written again.
		expect(second.save()).toBe(false);
	});

	it('reads a script with characters beyond ASCII as UTF-8, with and without its cache', async () => {
		await writeFile(script, scriptText(42, 'café ▶ 界 😀'));
		const first = load();
		expect(first.exports.label).toBe('café ▶ 界 😀');
		first.save();
		const second = load();
		expect(second.outcome).toBe('used');
		expect(second.exports.label).toBe('café ▶ 界 😀');
	});

	it('is not used for a different script, even of the same length, and the old cache is removed when the new one is written', async () => {
		load().save();
		const old = await cacheFile();
		await writeFile(script, scriptText(43));
		const other = load();
		expect(other.outcome).toBe('missing');
		expect(other.exports.answer).toBe(43);
		expect(other.save()).toBe(true);
		const current = await cacheFile();
		expect(current).not.toBe(old);

		// Another build's cache put under this build's name: its header names other source.
		await writeFile(script, scriptText(42));
		load().save();
		const forty2 = await cacheFile();
		await writeFile(script, scriptText(43));
		await writeFile(current, await readFile(forty2));
		const renamed = load();
		expect(renamed.outcome).toBe('rejected');
		expect(renamed.exports.answer).toBe(43);
	});

	it('ignores a damaged cache, still runs, and replaces it', async () => {
		load().save();
		const file = await cacheFile();
		const bytes = await readFile(file);
		bytes.writeUInt8(bytes.readUInt8(bytes.length - 10) ^ 0xff, bytes.length - 10);
		await writeFile(file, bytes);
		const damaged = load();
		expect(damaged.outcome).toBe('rejected');
		expect(damaged.exports.total).toBe(14);
		expect(damaged.save()).toBe(true);
		expect(load().outcome).toBe('used');

		await writeFile(file, 'short');
		expect(load().outcome).toBe('unsafe');
		await writeFile(file, '');
		expect(load().outcome).toBe('unsafe');
	});

	it('never reads a cache through a symlink, and replaces the link, not what it points to', async () => {
		load().save();
		const file = await cacheFile();
		const elsewhere = path.join(tmp, 'elsewhere.cache');
		await writeFile(elsewhere, await readFile(file));
		await rm(file);
		await symlink(elsewhere, file);
		const linked = load();
		expect(linked.outcome).toBe('unsafe');
		expect(linked.save()).toBe(true);
		expect((await lstat(file)).isSymbolicLink()).toBe(false);
		expect(load().outcome).toBe('used');
		expect((await lstat(elsewhere)).isFile()).toBe(true);
	});

	it.runIf(process.getuid?.() === 0)('ignores a cache owned by another user or writable by others, and replaces it', async () => {
		load().save();
		const file = await cacheFile();
		await chown(file, 4242, 4242);
		expect(load().outcome).toBe('unsafe');
		const replaced = load();
		expect(replaced.save()).toBe(true);
		expect((await stat(file)).uid).toBe(0);
		expect(load().outcome).toBe('used');

		await chmod(file, 0o620);
		expect(load().outcome).toBe('unsafe');
		await chmod(file, 0o602);
		expect(load().outcome).toBe('unsafe');
	});

	it.runIf(process.getuid?.() === 0)('neither reads nor writes in a cache folder of another user', async () => {
		load().save();
		await chown(cacheDir, 4242, 4242);
		const foreign = load();
		expect(foreign.outcome).toBe('unsafe');
		expect(foreign.exports.total).toBe(14);
		await rm(await cacheFile());
		expect(foreign.save()).toBe(false);
		expect(await readdir(cacheDir)).toEqual([]);
	});

	it('closes a folder of its own that others may write to before writing into it, and does not read from it meanwhile', async () => {
		await mkdir(cacheDir, {recursive: true});
		await chmod(cacheDir, 0o777);
		const open = load();
		expect(open.outcome).toBe('unsafe');
		expect(open.save()).toBe(true);
		expect((await stat(cacheDir)).mode & 0o777).toBe(0o700);
		expect(load().outcome).toBe('used');
	});

	it('does not wait on a FIFO in the cache\'s place, and replaces it', async () => {
		load().save();
		const file = await cacheFile();
		await rm(file);
		const made = spawnSync('mkfifo', ['-m', '600', file]);
		expect(made.status, String(made.stderr)).toBe(0);
		// Opens the FIFO for writing after 2 s, so a start that waits for a writer ends, late, instead of hanging the test.
		const unblock = spawn(process.execPath, ['-e', `setTimeout(() => { const fd = require('node:fs').openSync(${JSON.stringify(file)}, 'r+'); setTimeout(() => require('node:fs').closeSync(fd), 500); }, 2000)`], {stdio: 'ignore'});
		try {
			const started = performance.now();
			const fifo = load();
			expect(performance.now() - started).toBeLessThan(1000);
			expect(fifo.outcome).toBe('unsafe');
			expect(fifo.exports.total).toBe(14);
			expect(fifo.save()).toBe(true);
			expect((await lstat(file)).isFile()).toBe(true);
			expect(load().outcome).toBe('used');
		} finally {
			unblock.kill();
		}
	});

	it('neither reads nor writes below a folder others may write to (sticky folders such as /tmp aside), symlinks resolved', async () => {
		load().save();
		const parent = path.dirname(cacheDir);
		for (const mode of [0o777, 0o775, 0o757]) {
			await chmod(parent, mode);
			const open = load();
			expect(open.outcome, mode.toString(8)).toBe('unsafe');
			expect(open.exports.total).toBe(14);
		}

		// Nothing is written there either, not even the missing cache folder.
		await rm(cacheDir, {recursive: true});
		expect(load().save()).toBe(false);
		expect(await readdir(parent)).toEqual([]);
		await chmod(parent, 0o1777);
		expect(load().outcome).toBe('missing');
		expect(load().save()).toBe(true);
		expect(load().outcome).toBe('used');

		// A cache folder reached through a symlink into an open folder.
		const open = path.join(tmp, 'open');
		await mkdir(path.join(open, 'cws'), {recursive: true, mode: 0o700});
		await chmod(open, 0o777);
		const linked = path.join(tmp, 'linked');
		await symlink(open, linked);
		cacheDir = path.join(linked, 'cws');
		expect(load().outcome).toBe('unsafe');
		expect(load().save()).toBe(false);
		expect(await readdir(path.join(open, 'cws'))).toEqual([]);
		await chmod(open, 0o700);
		expect(load().save()).toBe(true);
		expect(load().outcome).toBe('used');
	});

	it.runIf(process.getuid?.() === 0)('neither reads nor writes below a folder of another user', async () => {
		load().save();
		await chown(path.dirname(cacheDir), 4242, 4242);
		expect(load().outcome).toBe('unsafe');
		await rm(await cacheFile());
		expect(load().save()).toBe(false);
		expect(await readdir(cacheDir)).toEqual([]);
	});

	it('removes only caches of other builds, named exactly as a cache', async () => {
		const other = 'tui-0123456789abcdef01234567-11.3.244.8-node.38-x64-speed';
		const kept = [`${other}.cache.notes`, `${other}.cachex`, 'tui-notes.cache', 'tui-0123456789abcdef01234567.cache', 'tui-keep'];
		await mkdir(cacheDir, {recursive: true, mode: 0o700});
		for (const name of kept) await writeFile(path.join(cacheDir, name), 'x');
		await writeFile(path.join(cacheDir, `${other}.cache`), 'x');
		await writeFile(path.join(cacheDir, 'tui-89abcdef0123456789abcdef-12.4.254.21-node.33-arm64-size.cache'), 'x');
		await mkdir(path.join(cacheDir, 'tui-fedcba9876543210fedcba98-11.3.244.8-node.38-x64-speed.cache'));
		expect(load().save()).toBe(true);
		const mine = path.basename(load().cacheFile!);
		expect((await readdir(cacheDir)).sort()).toEqual([...kept, mine, 'tui-fedcba9876543210fedcba98-11.3.244.8-node.38-x64-speed.cache'].sort());
	});

	it('runs without a cache where none can be written, without an error', async () => {
		cacheDir = path.join(script, 'not-a-folder');
		const blocked = load();
		expect(blocked.outcome).toBe('unsafe');
		expect(blocked.exports.total).toBe(14);
		expect(blocked.save()).toBe(false);
	});

	it('lives in the user\'s own cache folder, and CWS_CODE_CACHE=0 turns it off', () => {
		expect(cwsCacheDir({XDG_CACHE_HOME: '/x/cache', HOME: '/home/u'})).toBe('/x/cache/cws');
		expect(cwsCacheDir({XDG_CACHE_HOME: 'relative', HOME: '/home/u'})).toBe('/home/u/.cache/cws');
		expect(cwsCacheDir({HOME: '/home/u'})).toBe('/home/u/.cache/cws');
		expect(cwsCacheDir({HOME: '/home/u', CWS_CODE_CACHE: '0'})).toBeUndefined();
		const off = loadCachedScript<{total: number}>(script, {cacheDir: undefined, flavour: 'test'});
		expect(off.outcome).toBe('disabled');
		expect(off.exports.total).toBe(14);
		expect(off.save()).toBe(false);
	});
});

describe('the built interface with its cache', () => {
	it('starts and draws the board with no cache, with a damaged one (which it replaces), and with its own cache (which it leaves as it is)', async () => {
		const first = await startCws();
		await first.waitForText('Sandbox', {timeout: 15_000});
		first.kill('SIGTERM');
		await first.waitForExit({timeout: 15_000});
		const dir = path.join(first.home, '.cache', 'cws');
		const [name] = (await readdir(dir)).filter(entry => entry.endsWith('.cache'));
		expect(name).toBeDefined();
		const file = path.join(dir, name!);
		const saved = await readFile(file);
		expect(saved.length).toBeGreaterThan(100_000);

		// Damaged in the middle, where only a checksum notices.
		const damaged = Buffer.from(saved);
		for (let index = damaged.length >> 1; index < (damaged.length >> 1) + 64; index++) damaged.writeUInt8(damaged.readUInt8(index) ^ 0x5a, index);
		await writeFile(file, damaged, {mode: 0o600});
		const home = first.home;
		const env = {HOME: home, XDG_CACHE_HOME: path.join(home, '.cache'), XDG_CONFIG_HOME: path.join(home, '.config')};
		const second = await startCws({workspace: first.defaultWorkspace, env});
		await second.waitForText('Sandbox', {timeout: 15_000});
		second.kill('SIGTERM');
		await second.waitForExit({timeout: 15_000});
		const replaced = await readFile(file);
		expect(replaced.equals(damaged)).toBe(false);
		expect(replaced.subarray(0, 40).equals(saved.subarray(0, 40))).toBe(true);

		// The next start uses that cache as it is: a start whose V8 rejected it (other flags) would write it again on the way out.
		const before = await stat(file);
		const third = await startCws({workspace: first.defaultWorkspace, env});
		await third.waitForText('Sandbox', {timeout: 15_000});
		third.kill('SIGTERM');
		await third.waitForExit({timeout: 15_000});
		const after = await stat(file);
		expect(after.ino).toBe(before.ino);
		expect(after.mtimeMs).toBe(before.mtimeMs);
		expect((await readdir(dir)).filter(entry => entry.endsWith('.cache'))).toEqual([name]);
	}, 60_000);
});
