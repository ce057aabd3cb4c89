import {mkdtemp, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** A fresh directory under the system temp dir, removed by `cleanup()`. */
export type TempDir = {path: string; cleanup(): Promise<void>};

/** Creates `<tmpdir>/cws-<label>-XXXXXX`. */
export async function makeTempDir(label = 'test'): Promise<TempDir> {
	const dir = await mkdtemp(path.join(os.tmpdir(), `cws-${label}-`));
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
export function tempDirs(label = 'test'): {create(): Promise<string>; cleanupAll(): Promise<void>} {
	const created: TempDir[] = [];
	return {
		async create() {
			const dir = await makeTempDir(label);
			created.push(dir);
			return dir.path;
		},
		async cleanupAll() {
			const all = created.splice(0);
			await Promise.all(all.map(async dir => dir.cleanup()));
		},
	};
}
