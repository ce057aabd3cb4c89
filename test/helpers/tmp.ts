import {accessSync, constants, statfsSync} from 'node:fs';
import {mkdtemp, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** A fresh directory under the system temp dir, removed by `cleanup()`. */
export type TempDir = {path: string; cleanup(): Promise<void>};

const TMPFS_MAGIC = 0x01_02_19_94;

/**
 * A memory-backed temp folder (/dev/shm) when there is one, else the system
 * temp dir. For tests about locking and concurrency rather than the disk:
 * fsync costs nothing there, so a busy disk does not stretch them.
 */
export function memoryTempRoot(): string {
	try {
		accessSync('/dev/shm', constants.W_OK);
		if (statfsSync('/dev/shm').type === TMPFS_MAGIC) {
			return '/dev/shm';
		}
	} catch {
		// No /dev/shm here.
	}

	return os.tmpdir();
}

/** Creates `<tmpdir>/cws-<label>-XXXXXX` (or under `root`). */
export async function makeTempDir(label = 'test', root = os.tmpdir()): Promise<TempDir> {
	const dir = await mkdtemp(path.join(root, `cws-${label}-`));
	return {
		path: dir,
		async cleanup() {
			await rm(dir, {recursive: true, force: true, maxRetries: 3});
		},
	};
}

/**
 * Temp dirs for a test file: `create()` inside tests, `cleanupAll()` in
 * afterEach/afterAll so a failing test still leaves nothing behind.
 */
export function tempDirs(label = 'test', root = os.tmpdir()): {create(): Promise<string>; cleanupAll(): Promise<void>} {
	const created: TempDir[] = [];
	return {
		async create() {
			const dir = await makeTempDir(label, root);
			created.push(dir);
			return dir.path;
		},
		async cleanupAll() {
			const all = created.splice(0);
			await Promise.all(all.map(async dir => dir.cleanup()));
		},
	};
}
