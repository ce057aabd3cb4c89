import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {makeTemp, removeTemp, runCws} from './run-cws.js';

let home: string;
let tmp: string;
beforeAll(async () => {
	home = await makeTemp();
	tmp = await makeTemp('cws-demo-test-');
});
afterAll(async () => {
	await Promise.all([home, tmp].map(async dir => removeTemp(dir)));
});

describe('cws demo', () => {
	it('builds a throwaway workspace of sample projects in a temp folder and says where; the board lists them', async () => {
		const result = await runCws(['demo', '--build-only'], {home, env: {TMPDIR: tmp}, timeout: 60_000});
		expect(result, result.stderr).toMatchObject({code: 0});
		const root = /sample projects: (\S+)/.exec(result.stdout)?.[1];
		expect(root).toBeDefined();
		expect(path.dirname(path.dirname(root!))).toBe(tmp);
		expect(result.stdout).toContain(`cws --workspace ${root!}`);

		const list = await runCws(['list', '--json', '--git', '--workspace', root!], {home});
		expect(list, list.stderr).toMatchObject({code: 0});
		const listing = JSON.parse(list.stdout) as {cards: Array<{name: string; stage: string; git?: {kind: string; dirty?: boolean}}>; summary: {stages: Record<string, number>}};
		expect(listing.summary.stages).toEqual({sandbox: 3, active: 3, stable: 3, public: 3});
		// Real repositories: one with uncommitted work, one with no git at all.
		expect(listing.cards.find(card => card.name === 'api-gateway')?.git).toMatchObject({kind: 'repo', dirty: true});
		expect(listing.cards.find(card => card.name === 'scratchpad')?.git).toMatchObject({kind: 'none'});
	});
});
