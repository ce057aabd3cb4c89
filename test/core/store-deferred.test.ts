import fs from 'node:fs';
import {mkdir, readdir, readFile, stat, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {backupDir, listBackups, pruneAfterCommit, backupFile} from '../../source/core/backups.js';
import {inFlightStaged, parseStagedName, stagedName, uniqueToken} from '../../source/core/file-ops.js';
import {publishFile} from '../../source/core/publish-file.js';
import {Store} from '../../source/core/store.js';
import {tempDirs} from '../helpers/tmp.js';
import {counterSpec} from '../fixtures/store-specs.js';

const temps = tempDirs('store-deferred');
afterAll(async () => temps.cleanupAll());

/** Entries of a folder that carry a staged name. */
async function stagedIn(dir: string): Promise<string[]> {
	return (await readdir(dir)).filter(entry => parseStagedName(entry) !== undefined);
}

describe('an update\'s slow steps overlapped with its fsyncs', () => {
	it('publishFile with deferReplacedRemoval keeps the replaced file under a staged name until its last step', async () => {
		const dir = await temps.create();
		const file = path.join(dir, 'state.json');
		await writeFile(file, 'old', {mode: 0o600});
		const oldInode = (await stat(file)).ino;

		const finish = await publishFile(file, 'new', {deferReplacedRemoval: true});
		expect(await readFile(file, 'utf8')).toBe('new');
		// The replaced inode is still there under one staged name, marked in flight so no sweep takes it meanwhile.
		const kept = await stagedIn(dir);
		expect(kept).toHaveLength(1);
		expect((await stat(path.join(dir, kept[0]!))).ino).toBe(oldInode);
		expect(await readFile(path.join(dir, kept[0]!), 'utf8')).toBe('old');
		expect(inFlightStaged.has(path.join(dir, kept[0]!))).toBe(true);

		await finish();
		expect(await readdir(dir)).toEqual(['state.json']);
		expect(inFlightStaged.has(path.join(dir, kept[0]!))).toBe(false);
	});

	it('publishFile with deferReplacedRemoval writes a new file with no second name, and a refused publish keeps the old file whole', async () => {
		const dir = await temps.create();
		const file = path.join(dir, 'state.json');
		const finish = await publishFile(file, 'first', {deferReplacedRemoval: true});
		expect(await readdir(dir)).toEqual(['state.json']);
		await finish();

		await expect(publishFile(file, 'second', {
			deferReplacedRemoval: true,
			beforePublish: async () => {
				throw new Error('fenced');
			},
		})).rejects.toThrow('fenced');
		expect(await readFile(file, 'utf8')).toBe('first');
		expect(await readdir(dir)).toEqual(['state.json']);
	});

	it('whileSyncing runs before the rename, and its failure publishes nothing and leaves no temp file', async () => {
		const dir = await temps.create();
		const file = path.join(dir, 'state.json');
		await writeFile(file, 'old', {mode: 0o600});
		const order: string[] = [];
		const finish = await publishFile(file, 'new', {
			whileSyncing: async () => {
				order.push(`while: ${fs.readFileSync(file, 'utf8')}`);
			},
			beforePublish: async () => {
				order.push('before publish');
			},
		});
		await finish();
		expect(order).toEqual(['while: old', 'before publish']);

		await expect(publishFile(file, 'newer', {
			whileSyncing: async () => {
				throw Object.assign(new Error('no space for the backup'), {code: 'ENOSPC'});
			},
		})).rejects.toMatchObject({code: 'DISK_FULL'});
		expect(await readFile(file, 'utf8')).toBe('new');
		expect(await readdir(dir)).toEqual(['state.json']);
	});

	it('a backup that cannot be staged fails the update with nothing published (the backup is written during the fsync)', async () => {
		const meta = path.join(await temps.create(), '.cws');
		const store = new Store(meta);
		await store.update(counterSpec, () => ({n: 1}));
		// A file where the backups folder of counter.json should be: staging its backup fails.
		const backups = backupDir(meta, counterSpec.name);
		fs.rmSync(backups, {recursive: true});
		await writeFile(backups, 'in the way');
		await expect(store.update(counterSpec, () => ({n: 2}))).rejects.toMatchObject({code: expect.stringMatching(/IO_ERROR|READ_ONLY|DISK_FULL/) as unknown});
		expect((await new Store(meta).read(counterSpec)).data).toEqual({n: 1});
		expect(await stagedIn(meta)).toEqual([]);
	});

	it('pruning renames the outgoing backup aside and its returned step removes it', async () => {
		const meta = path.join(await temps.create(), '.cws');
		const dir = backupDir(meta, 'x.json');
		await mkdir(dir, {recursive: true});
		for (const generation of [1, 2, 3]) {
			await writeFile(backupFile(meta, 'x.json', generation), `${generation}`);
		}

		const remove = await pruneAfterCommit(meta, 'x.json', 2, 3);
		expect((await listBackups(meta, 'x.json')).map(backup => backup.generation)).toEqual([3, 2]);
		const aside = await stagedIn(dir);
		expect(aside).toHaveLength(1);
		expect(await readFile(path.join(dir, aside[0]!), 'utf8')).toBe('1');
		await remove();
		expect((await readdir(dir)).sort()).toEqual(['000000000002.json', '000000000003.json']);
	});

	it('many updates leave exactly the kept backups and no staged names behind', async () => {
		const meta = path.join(await temps.create(), '.cws');
		const store = new Store(meta);
		for (let i = 0; i < 40; i++) {
			await store.update(counterSpec, current => ({n: current.n + 1}));
		}

		expect((await listBackups(meta, counterSpec.name)).map(backup => backup.generation)).toEqual([40, 39, 38]);
		expect(await stagedIn(meta)).toEqual([]);
		expect(await stagedIn(backupDir(meta, counterSpec.name))).toEqual([]);
		expect(await readdir(path.join(meta, 'locks'))).toEqual([]);
	});

	it('names staged files and tokens without a random draw per name, yet never twice and always parsable', () => {
		const tokens = new Set(Array.from({length: 10_000}, () => uniqueToken()));
		expect(tokens.size).toBe(10_000);
		for (const token of tokens) {
			expect(token).toMatch(/^[0-9a-f]+$/);
		}

		const name = stagedName('/x/.cws/state.json');
		expect(parseStagedName(path.basename(name))).toMatchObject({target: 'state.json', pid: process.pid});
	});

	it('earlyFolderSync starts the folder fsync at the rename, and the returned step waits for it', async () => {
		const dir = await temps.create();
		const file = path.join(dir, 'state.json');
		const synced: string[] = [];
		const original = fs.fsync;
		const spy = (fd: number, callback: (error: NodeJS.ErrnoException | null) => void) => {
			synced.push(fs.fstatSync(fd).isDirectory() ? 'folder' : 'file');
			original(fd, callback);
		};

		fs.fsync = spy as typeof fs.fsync;
		try {
			const late = await publishFile(file, 'a');
			expect(synced).toEqual(['file']);
			await late();
			expect(synced).toEqual(['file', 'folder']);

			synced.length = 0;
			const early = await publishFile(file, 'b', {earlyFolderSync: true});
			expect(synced).toEqual(['file', 'folder']);
			await early();
			expect(synced).toEqual(['file', 'folder']);
			expect(await readFile(file, 'utf8')).toBe('b');
		} finally {
			fs.fsync = original;
		}
	});

	it('an update returns after its folder fsync, which runs while the file\'s lock is still held', async () => {
		const meta = path.join(await temps.create(), '.cws');
		const store = new Store(meta);
		await store.update(counterSpec, () => ({n: 1}));
		const lockFile = path.join(meta, 'locks', 'counter.json.lock');
		const folderSyncs: Array<{lockHeld: boolean}> = [];
		const original = fs.fsync;
		const spy = (fd: number, callback: (error: NodeJS.ErrnoException | null) => void) => {
			const folder = fs.fstatSync(fd).isDirectory();
			original(fd, error => {
				// Looked at when the fsync has completed, as the update sees it.
				if (folder) {
					folderSyncs.push({lockHeld: fs.existsSync(lockFile)});
				}

				callback(error);
			});
		};

		fs.fsync = spy as typeof fs.fsync;
		try {
			await store.update(counterSpec, current => ({n: current.n + 1}));
		} finally {
			fs.fsync = original;
		}

		expect(folderSyncs).toEqual([{lockHeld: true}]);
		expect(fs.existsSync(lockFile)).toBe(false);
		expect((await store.read(counterSpec)).data).toEqual({n: 2});
	});
});
