import fs from 'node:fs/promises';
import path from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import {afterAll, describe, expect, it} from 'vitest';
import {newProject} from '../../../source/core/board/lifecycle.js';
import {reconcileIntents} from '../../../source/core/board/reconcile.js';
import {boardStateSpec} from '../../../source/core/board/schema.js';
import {verifyBoard} from '../../../source/core/board/verify.js';
import {sweepMeta} from '../../../source/core/sweep.js';
import {spawnTs, type TsChild} from '../../helpers/child.js';
import {tempDirs} from '../../helpers/tmp.js';
import {makeWorkspace, whereIs} from './helpers.js';

const CHILD = 'test/fixtures/board/move-child.ts';
const ROUNDS = 100;
const temps = tempDirs('board-kill');
afterAll(async () => temps.cleanupAll());

describe('kill -9 during moves', () => {
	it(`leaves the project in exactly one place with consistent history, ${ROUNDS} rounds`, async () => {
		const ws = await makeWorkspace(await temps.create());
		const {dir: created} = await newProject(ws, 'p');
		await fs.writeFile(path.join(created, 'keep.txt'), 'content');
		const outcomes = {pending: 0, completed: 0, rolledBack: 0, moves: 0};
		// Each child is started while the previous round is checked, and waits for a signal to begin.
		let next = spawnTs(CHILD, ['loop', ws.paths.root, 'p']);
		const spawned: Array<Promise<TsChild>> = [next];
		try {
			for (let round = 0; round < ROUNDS; round++) {
				const child = await next;
				await child.waitForLine('ready');
				child.process.kill('SIGUSR2');
				await child.waitForLine('started');
				// Kill at a random instant: every fifth round before or during the first
				// move (cold code), the others during a later one.
				if (round % 5 !== 0) {
					await child.waitForLine('moved');
				}

				await sleep(Math.random() * 40);
				const exit = await child.kill('SIGKILL');
				if (round + 1 < ROUNDS) {
					next = spawnTs(CHILD, ['loop', ws.paths.root, 'p']);
					spawned.push(next);
				}

				expect(exit.signal, child.stderr()).toBe('SIGKILL');
				outcomes.moves += child.lines.filter(line => line.startsWith('moved')).length;

				// Right after the kill, before any repair: the folder is in one place (rename is atomic).
				const places = await whereIs(ws, 'p');
				expect(places, `round ${round}`).toHaveLength(1);
				const before = (await ws.store.read(boardStateSpec)).data;
				if (before.pending) {
					outcomes.pending++;
				}

				// The next start: sweep the dead process's locks, then finish or undo its move.
				await sweepMeta(ws.paths.meta, {lockStaleMs: 2000});
				for (const report of await reconcileIntents(ws)) {
					expect(report.action, report.message).not.toBe('lost');
					outcomes[report.action === 'completed' ? 'completed' : 'rolledBack']++;
				}

				const after = (await ws.store.read(boardStateSpec)).data;
				expect(after.pending).toBeNull();
				const verification = await verifyBoard(ws);
				expect(verification.errors, `round ${round}`).toEqual([]);
				expect(verification.warnings, `round ${round}`).toEqual([]);
				expect(after.projects['p']!.history.at(-1)!.to).toBe(places[0]);
				const dir = path.join(places[0] === 'archive' ? ws.paths.archive : ws.paths.stageDir[places[0] as 'sandbox'], 'p');
				expect(await fs.readFile(path.join(dir, 'keep.txt'), 'utf8')).toBe('content');
			}
		} finally {
			// A failed round must not leave a waiting child behind.
			await Promise.all(spawned.map(async child => (await child).kill('SIGKILL')));
		}

		// The kills must actually have landed inside moves, or this test proves nothing.
		expect(outcomes.pending).toBeGreaterThanOrEqual(10);
		expect(outcomes.completed + outcomes.rolledBack).toBe(outcomes.pending);
		console.info(`kill -9 rounds: ${ROUNDS}, moves made ${outcomes.moves}, interrupted mid-move ${outcomes.pending} (completed ${outcomes.completed}, rolled back ${outcomes.rolledBack})`);
	}, 120_000);
});
