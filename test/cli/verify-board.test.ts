import fs from 'node:fs/promises';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {moveProject} from '../../source/core/board/index.js';
import {boardStateSpec} from '../../source/core/board/schema.js';
import type {VerifyReport} from '../../source/core/verify.js';
import {makeProject, makeWorkspace, whereIs} from '../core/board/helpers.js';
import {makeTemp, removeTemp, runCws} from './run-cws.js';

let home: string;
let parent: string;
beforeAll(async () => {
	home = await makeTemp();
	parent = await makeTemp('cws-verify-board-');
});
afterAll(async () => {
	await Promise.all([home, parent].map(async dir => removeTemp(dir)));
});

describe('cws verify and status on the board', () => {
	it('reports a record without its folder and an interrupted move; --repair finishes the move; status sums it up', async () => {
		const ws = await makeWorkspace(path.join(parent, 'ws'));
		const cws = async (...args: string[]) => runCws([...args, '--workspace', ws.paths.root], {home});
		expect((await cws('new', 'gone')).code).toBe(0);
		await fs.rm(path.join(ws.paths.stageDir.sandbox, 'gone'), {recursive: true});
		await makeProject(ws, 'sandbox', 'p', {}, {git: false});
		await expect(moveProject(ws, 'p', 'active', {hooks: {step(step) {
			if (step === 'renamed') throw new Error('crash');
		}}})).rejects.toThrow('crash');
		for (let index = 0; index < 12; index++) await fs.mkdir(path.join(ws.paths.stageDir.stable, `by-hand-${index}`));

		let result = await cws('verify', '--json');
		expect(result.code).toBe(1);
		let report = JSON.parse(result.stdout) as VerifyReport;
		const problems = report.issues.filter(issue => issue.area === 'project').map(issue => [issue.problem, issue.repairable]);
		expect(problems).toEqual(expect.arrayContaining([
			[expect.stringContaining('"gone" is recorded in sandbox but has no folder'), false],
			[expect.stringContaining('interrupted move of "p"'), true],
		]));
		// Twelve folders added by hand are counted, not listed one by one.
		expect(report.notes.filter(note => note.includes('was added outside cws'))).toHaveLength(5);
		expect(report.notes).toContain('… and 7 more like these (unrecorded); `cws list` shows every project.');

		result = await cws('status', '--json');
		expect(JSON.parse(result.stdout)).toMatchObject({stages: {sandbox: 0, active: 1, stable: 12, public: 0}, missing: ['gone'], pending: true});

		result = await cws('verify', '--repair', '--json');
		report = JSON.parse(result.stdout) as VerifyReport;
		expect(report.issues.find(issue => issue.problem.includes('"p"'))?.repaired).toMatch(/p/);
		expect((await ws.store.read(boardStateSpec)).data.pending).toBeNull();
		expect(await whereIs(ws, 'p')).toEqual(['active']);
		// The missing folder still needs a person.
		expect(result.code).toBe(1);
		expect((await cws('rm', 'gone')).code).toBe(0);
		expect((await cws('verify')).code).toBe(0);
		result = await cws('status');
		expect(result.stdout).toMatch(/Stable +12/);
		expect(result.stdout).toContain('1 in the trash');
	});
});
