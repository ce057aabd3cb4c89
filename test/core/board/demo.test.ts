import fs from 'node:fs/promises';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {DEMO_PROJECTS, buildDemoWorkspace} from '../../../source/core/board/demo.js';
import {checkGates} from '../../../source/core/board/moves.js';
import {scanBoard} from '../../../source/core/board/scanner.js';
import {verifyBoard} from '../../../source/core/board/verify.js';
import {workspacePaths} from '../../../source/core/paths.js';
import {Store} from '../../../source/core/store.js';
import {tempDirs} from '../../helpers/tmp.js';

const temps = tempDirs('board-demo');
afterAll(async () => temps.cleanupAll());

describe('demo workspace', () => {
	it('has a dozen real projects across stages and models, each showing something', async () => {
		const dir = await temps.create();
		const demo = await buildDemoWorkspace(dir);
		const paths = workspacePaths(demo.root);
		const ws = {paths, store: new Store(paths.meta)};
		const listing = await scanBoard(ws, {git: true});
		expect(listing.cards).toHaveLength(DEMO_PROJECTS.length);
		expect(listing.cards.length).toBeGreaterThanOrEqual(12);
		expect(new Set(listing.cards.map(card => card.stage))).toEqual(new Set(['sandbox', 'active', 'stable', 'public']));
		expect(new Set(listing.cards.map(card => card.model))).toEqual(new Set(['open-source', 'commercial', 'hybrid']));
		expect(listing.cards.every(card => card.recorded)).toBe(true);
		expect(listing.problems).toEqual([]);
		expect(await verifyBoard(ws)).toMatchObject({ok: true, warnings: []});

		const card = (name: string) => listing.cards.find(candidate => candidate.name === name)!;
		expect(card('api-gateway').git).toMatchObject({kind: 'repo', dirty: true});
		expect(card('docs-site').git).toMatchObject({ahead: 2, behind: 0, upstream: 'origin/main'});
		expect(card('website').git).toMatchObject({dirty: false, ahead: 0, behind: 0});
		expect(card('scratchpad').git).toEqual({kind: 'none'});
		expect(card('idea-board').stale).toBe(true);
		expect(card('scratchpad').stale).toBe(false);
		expect(card('ui-kit').lead).toBe('Self-host');

		const ready = await checkGates(ws, 'ui-kit');
		expect(ready.to).toBe('public');
		expect(ready.results.filter(gate => !gate.ok)).toEqual([]);
		const failing = await checkGates(ws, 'cli-tool');
		expect(failing.results.find(gate => gate.id === 'tests')).toMatchObject({ok: false, output: expect.stringContaining('1 of 3 tests failed')});

		const remotes = await fs.readdir(demo.remotes);
		expect(remotes).toContain('ui-kit.git');
		expect(await fs.stat(path.join(demo.remotes, 'ui-kit.git', 'HEAD'))).toBeTruthy();
	}, 60_000);
});
