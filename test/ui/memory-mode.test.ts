import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {getHeapStatistics} from 'node:v8';
import {afterEach, describe, expect, it} from 'vitest';
import {workspacePaths} from '../../source/core/paths.js';
import {favourMemoryForLargeWorkspace, LARGE_STATE_BYTES} from '../../source/ui/memory-mode.js';

const dirs: string[] = [];
afterEach(async () => {
	await Promise.all(dirs.splice(0).map(async dir => rm(dir, {recursive: true, force: true})));
});

async function workspaceWithState(bytes: number | undefined): Promise<string> {
	const root = await mkdtemp(path.join(os.tmpdir(), 'cws-memory-'));
	dirs.push(root);
	const paths = workspacePaths(root);
	await mkdir(paths.meta, {recursive: true});
	if (bytes !== undefined) await writeFile(paths.state, 'x'.repeat(bytes));
	return root;
}

describe('memory mode', () => {
	it('keeps the defaults for a missing or small state file and favours memory from the large size on', async () => {
		expect(favourMemoryForLargeWorkspace(await workspaceWithState(undefined))).toBe(false);
		expect(favourMemoryForLargeWorkspace(await workspaceWithState(LARGE_STATE_BYTES - 1))).toBe(false);
		expect(favourMemoryForLargeWorkspace(await workspaceWithState(LARGE_STATE_BYTES))).toBe(true);
		// The process goes on working with the flag set.
		expect(getHeapStatistics().used_heap_size).toBeGreaterThan(0);
	});
});
