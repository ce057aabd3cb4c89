import {execFile} from 'node:child_process';
import {chmod, lstat, mkdir, readdir, readFile, symlink, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {promisify} from 'node:util';
import {afterAll, describe, expect, it} from 'vitest';
import {atomicWriteFile} from '../../source/core/atomic-write.js';
import {Store} from '../../source/core/store.js';
import {spawnTs} from '../helpers/child.js';
import {tempDirs} from '../helpers/tmp.js';
import {blobFor, blobSpec} from '../fixtures/store-specs.js';

const run = promisify(execFile);
const CHILD = 'test/fixtures/store-child.ts';
const isRoot = process.getuid?.() === 0;
const temps = tempDirs('atomic');
const mounts: string[] = [];

/**
 * Mounts a tmpfs of `size` at a new temp dir. Root that may not mount (a
 * container without CAP_SYS_ADMIN) fails the test loudly: a test that quietly
 * did nothing would prove nothing.
 */
async function mountTmpfs(size: string): Promise<string> {
	const dir = await temps.create();
	try {
		await run('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', dir], {timeout: 10_000});
	} catch (error) {
		throw new Error(`this test needs to mount a tmpfs as root: ${String(error)}`);
	}

	mounts.push(dir);
	return dir;
}

async function remountReadOnly(dir: string): Promise<void> {
	await run('mount', ['-o', 'remount,ro', dir], {timeout: 10_000});
}

afterAll(async () => {
	for (const dir of mounts.reverse()) {
		await run('umount', ['-l', dir], {timeout: 10_000}).catch(() => undefined);
	}

	await temps.cleanupAll();
});

/** Every file and folder under `dir`, relative. */
async function listAll(dir: string): Promise<string[]> {
	const entries = await readdir(dir, {recursive: true});
	return entries.map(String).sort();
}

function tempsIn(names: string[]): string[] {
	return names.filter(name => name.includes('cws-tmp'));
}

describe('atomicWriteFile', () => {
	it('writes the bytes as a 0600 file whatever the umask, leaving no temp file', async () => {
		const dir = await temps.create();
		const file = path.join(dir, 'a.json');
		const previous = process.umask(0o000);
		try {
			await atomicWriteFile(file, 'first');
			await writeFile(file, 'widened', {mode: 0o666});
			await chmod(file, 0o666);
			await atomicWriteFile(file, Buffer.from('second'));
		} finally {
			process.umask(previous);
		}

		expect(await readFile(file, 'utf8')).toBe('second');
		expect((await lstat(file)).mode & 0o777).toBe(0o600);
		expect(await readdir(dir)).toEqual(['a.json']);
	});

	it('refuses to write through a symlink and leaves its target alone', async () => {
		const dir = await temps.create();
		await writeFile(path.join(dir, 'target'), 'precious');
		await symlink(path.join(dir, 'target'), path.join(dir, 'link'));
		await expect(atomicWriteFile(path.join(dir, 'link'), 'x')).rejects.toMatchObject({code: 'SYMLINK_REFUSED'});
		expect(await readFile(path.join(dir, 'target'), 'utf8')).toBe('precious');
		expect((await lstat(path.join(dir, 'link'))).isSymbolicLink()).toBe(true);
	});

	it('a check that throws right before publishing leaves the target byte-identical and no temp file', async () => {
		const dir = await temps.create();
		const file = path.join(dir, 'a.json');
		await atomicWriteFile(file, 'old');
		await expect(atomicWriteFile(file, 'new', {
			async beforePublish() {
				throw new Error('fenced');
			},
		})).rejects.toThrow('fenced');
		expect(await readFile(file, 'utf8')).toBe('old');
		expect(await readdir(dir)).toEqual(['a.json']);
	});
});

describe('a full disk', () => {
	it('under `ulimit -f` (file size limit): DISK_FULL, previous file byte-identical, no temp file', async () => {
		const dir = await temps.create();
		const file = path.join(dir, 'state.json');
		const previous = Buffer.alloc(10_000, 'p');
		await writeFile(file, previous);
		// 64 blocks of 1 KiB: the 200 KB write is cut short (Node ignores SIGXFSZ, so the write returns short).
		const child = await spawnTs(CHILD, ['write', file, String(200_000)], {shellPrefix: 'ulimit -f 64'});
		const line = await child.waitForLine('{');
		await child.exited;
		const outcome = JSON.parse(line) as {error?: {code: string; message: string}};
		expect(outcome.error?.code).toBe('DISK_FULL');
		expect(outcome.error?.message).toContain(file);
		expect(await readFile(file)).toEqual(previous);
		expect(await readdir(dir)).toEqual(['state.json']);
	});

	it.runIf(isRoot)('on a 128 KiB tmpfs: DISK_FULL from atomicWriteFile and from Store.update, nothing changed, no temp file', async () => {
		const mount = await mountTmpfs('128k');

		// Plain write: the data does not fit at all.
		const file = path.join(mount, 'plain.json');
		const previous = Buffer.alloc(10_000, 'p');
		await atomicWriteFile(file, previous);
		const error = await atomicWriteFile(file, Buffer.alloc(200_000, 'n')).then(() => undefined, (error_: unknown) => error_ as {code: string; message: string; hint: string});
		expect(error?.code).toBe('DISK_FULL');
		expect(error?.message).toContain(file);
		expect(error?.hint).toContain('was not changed');
		expect(await readFile(file)).toEqual(previous);
		expect(tempsIn(await listAll(mount))).toEqual([]);

		// Through the store: backup staged and state written, the disk fills up part-way.
		const meta = path.join(mount, '.cws');
		const store = new Store(meta);
		await store.update(blobSpec, () => ({g: 1, size: 1000, fill: 'a'.repeat(1000)}));
		const stateBefore = await readFile(path.join(meta, 'blob.json'));
		const backupsBefore = await listAll(path.join(meta, 'backups'));
		const big = {g: 2, size: 80_000, fill: 'b'.repeat(80_000)};
		await expect(store.update(blobSpec, () => big)).rejects.toMatchObject({code: 'DISK_FULL'});
		expect(await readFile(path.join(meta, 'blob.json'))).toEqual(stateBefore);
		expect(await listAll(path.join(meta, 'backups'))).toEqual(backupsBefore);
		expect(tempsIn(await listAll(mount))).toEqual([]);
		expect((await store.read(blobSpec)).data.g).toBe(1);
		// Locks were released: a small update still goes through.
		await store.update(blobSpec, () => blobFor(3));
	});
});

describe('a read-only state folder', () => {
	// Root ignores permission bits, so as root the folder is a tmpfs remounted
	// read-only; as another user chmod takes its place.
	it('READ_ONLY from writes and updates on a read-only folder; nothing changed', async () => {
		if (isRoot) {
			const mount = await mountTmpfs('1m');

			const meta = path.join(mount, '.cws');
			const store = new Store(meta);
			await store.update(blobSpec, () => blobFor(1));
			await mkdir(path.join(meta, 'locks'), {recursive: true});
			const before = await listAll(mount);
			const bytes = await readFile(path.join(meta, 'blob.json'));
			await remountReadOnly(mount);

			const error = await store.update(blobSpec, () => blobFor(2)).then(() => undefined, (error_: unknown) => error_ as {code: string; message: string; hint: string});
			expect(error?.code).toBe('READ_ONLY');
			expect(error?.message).toContain(meta);
			expect(error?.hint).toContain('nothing was changed');
			await expect(atomicWriteFile(path.join(meta, 'blob.json'), 'x')).rejects.toMatchObject({code: 'READ_ONLY'});
			expect((await store.read(blobSpec)).data).toEqual(blobFor(1));
			expect(await readFile(path.join(meta, 'blob.json'))).toEqual(bytes);
			expect(await listAll(mount)).toEqual(before);
		} else {
			const dir = await temps.create();
			const file = path.join(dir, 'a.json');
			await atomicWriteFile(file, 'old');
			await chmod(dir, 0o500);
			try {
				await expect(atomicWriteFile(file, 'new')).rejects.toMatchObject({code: 'READ_ONLY'});
				expect(await readFile(file, 'utf8')).toBe('old');
			} finally {
				await chmod(dir, 0o700);
			}
		}
	});
});
