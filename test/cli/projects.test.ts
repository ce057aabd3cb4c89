import {spawn} from 'node:child_process';
import {watch} from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {boardStateSpec} from '../../source/core/board/schema.js';
import {verifyBoard} from '../../source/core/board/verify.js';
import {readJsonl} from '../../source/core/jsonl.js';
import {FAILING, HOSTILE_NAMES, PASSING, git, makeProject, makeWorkspace, whereIs} from '../core/board/helpers.js';
import {CLI_PATH, makeTemp, removeTemp, runCws} from './run-cws.js';

let home: string;
const made: string[] = [];
beforeAll(async () => {
	home = await makeTemp();
});
afterAll(async () => {
	await Promise.all([home, ...made].map(async dir => removeTemp(dir)));
});

async function workspace() {
	const parent = await makeTemp('cws-cli-board-');
	made.push(parent);
	return makeWorkspace(path.join(parent, 'ws'));
}

describe('project commands', () => {
	it('move/promote/demote move the folder, write history and enforce gates; --force is recorded', async () => {
		const ws = await workspace();
		const cws = async (...args: string[]) => runCws([...args, '--workspace', ws.paths.root], {home});
		const app = await makeProject(ws, 'sandbox', 'app', PASSING);

		let result = await cws('move', 'app', 'active');
		expect(result, result.stderr).toMatchObject({code: 0});
		expect(result.stdout).toContain('Moved app: sandbox → active');
		expect(await whereIs(ws, 'app')).toEqual(['active']);

		// A dirty tree blocks Stable.
		await fs.writeFile(path.join(ws.paths.stageDir.active, 'app', 'wip.txt'), 'x');
		result = await cws('promote', 'app');
		expect(result.code).toBe(1);
		expect(result.stderr).toMatch(/✗ Clean working tree — 1 uncommitted change/);
		expect(result.stderr).toMatch(/cannot move to stable/);
		expect(await whereIs(ws, 'app')).toEqual(['active']);
		await fs.rm(path.join(ws.paths.stageDir.active, 'app', 'wip.txt'));

		result = await cws('promote', 'app');
		expect(result, result.stderr).toMatchObject({code: 0});
		expect(result.stdout).toContain('✓ Tests pass');
		expect(await whereIs(ws, 'app')).toEqual(['stable']);

		// A failing test command blocks Stable.
		await makeProject(ws, 'active', 'broken', FAILING);
		result = await cws('move', 'broken', 'stable', '--json');
		expect(result.code).toBe(1);
		const refused = JSON.parse(result.stdout) as {code: string; gates: Array<{id: string; ok: boolean; output?: string}>};
		expect(refused.code).toBe('GATES_FAILED');
		expect(refused.gates.find(gate => gate.id === 'tests')).toMatchObject({ok: false, output: expect.stringContaining('1 failing')});
		expect(await whereIs(ws, 'broken')).toEqual(['active']);

		// A missing LICENSE blocks Public (and so does the missing remote).
		await fs.rm(path.join(ws.paths.stageDir.stable, 'app', 'LICENSE'));
		await git(path.join(ws.paths.stageDir.stable, 'app'), 'commit', '-qam', 'drop license');
		result = await cws('gates', 'app', '--json');
		expect(result.code).toBe(1);
		const gates = JSON.parse(result.stdout) as {to: string; results: Array<{id: string; ok: boolean}>};
		expect(gates.to).toBe('public');
		expect(gates.results.filter(gate => !gate.ok).map(gate => gate.id)).toEqual(['license', 'remote']);
		result = await cws('promote', 'app');
		expect(result.code).toBe(1);
		expect(result.stderr).toMatch(/✗ LICENSE — no LICENSE file/);
		expect(await whereIs(ws, 'app')).toEqual(['stable']);

		result = await cws('promote', 'app', '--force', '--reason', 'soft launch');
		expect(result, result.stderr).toMatchObject({code: 0});
		expect(result.stdout).toMatch(/forced past failed gates/);
		expect(await whereIs(ws, 'app')).toEqual(['public']);
		result = await cws('demote', 'app');
		expect(result.code).toBe(0);
		expect(await whereIs(ws, 'app')).toEqual(['stable']);

		const {data} = await ws.store.read(boardStateSpec);
		expect(data.projects['app']!.history.map(entry => [entry.from, entry.to, entry.forced])).toEqual([
			[null, 'sandbox', false], ['sandbox', 'active', false], ['active', 'stable', false], ['stable', 'public', true], ['public', 'stable', false],
		]);
		expect(data.projects['app']!.history[3]).toMatchObject({reason: 'soft launch', failedGates: ['license', 'remote'], by: 'cli'});
		const audit = await readJsonl<{event: string; project: string}>(ws.paths.audit);
		expect(audit.filter(line => line.event === 'forced-move')).toEqual([expect.objectContaining({project: 'app', from: 'stable', to: 'public'})]);
		expect((await verifyBoard(ws)).ok).toBe(true);
		expect(app).toBeTruthy();
	});

	it('new, list --json, note, archive, restore, rm, trash', async () => {
		const ws = await workspace();
		const cws = async (...args: string[]) => runCws([...args, '--workspace', ws.paths.root], {home});
		expect((await cws('new', 'svc', '--stage', 'active', '--model', 'hybrid', '--git')).code).toBe(0);
		expect((await cws('new', 'svc')).code).toBe(1);
		expect((await cws('new', 'x', '--model', 'freeware')).code).toBe(1);
		expect((await cws('new', 'x', '--stage', 'attic')).code).toBe(1);
		await fs.mkdir(path.join(ws.paths.stageDir.sandbox, 'cloned'));

		let result = await cws('list', '--json');
		expect(result.code).toBe(0);
		const listing = JSON.parse(result.stdout) as {cards: Array<Record<string, unknown>>; summary: {stages: Record<string, number>}};
		expect(listing.cards.map(card => [card['key'], card['model'], card['recorded']])).toEqual([['sandbox/cloned', 'open-source', false], ['active/svc', 'hybrid', true]]);
		expect(listing.cards[1]!['git']).toMatchObject({kind: 'repo', branch: 'main', dirty: false});
		expect(listing.summary.stages).toEqual({sandbox: 1, active: 1, stable: 0, public: 0});
		result = await cws('list');
		expect(result.stdout).toMatch(/^active\s+svc\s+hybrid\s+main/m);

		expect((await cws('note', 'cloned', 'first', 'words')).code).toBe(0);
		result = await cws('note', 'cloned', '--json');
		expect(JSON.parse(result.stdout)).toEqual([expect.objectContaining({text: 'first words'})]);

		expect((await cws('archive', 'svc')).code).toBe(0);
		expect(await whereIs(ws, 'svc')).toEqual(['archive']);
		result = await cws('restore', 'svc');
		expect(result.stdout).toContain('Restored svc to active');
		expect((await cws('rm', 'svc')).code).toBe(0);
		result = await cws('trash', '--json');
		expect(JSON.parse(result.stdout)).toEqual([expect.objectContaining({name: 'svc', recorded: true})]);
		expect((await cws('trash', 'empty')).code).toBe(2);
		result = await cws('trash', 'empty', '--older-than', '0', '--dry-run');
		expect(result.stdout).toMatch(/would delete {2}svc/);
		expect((await fs.readdir(ws.paths.trash)).length).toBe(1);
		expect((await cws('trash', 'empty', '--older-than', '0')).code).toBe(0);
		expect(await fs.readdir(ws.paths.trash)).toEqual([]);
		expect((await cws('cleanup')).code).toBe(2);
		result = await cws('cleanup', '--sandbox', '--dry-run', '--json');
		expect(JSON.parse(result.stdout)).toMatchObject({stale: [], archived: [], dryRun: true, staleAfterDays: 30});
	});

	it('refuses hostile names on every command; nothing is created outside the workspace', async () => {
		const ws = await workspace();
		const parent = path.dirname(ws.paths.root);
		const before = await listTree(parent);
		// The core test feeds every hostile name to every operation; here the
		// ones from the contract go through the real argument parser. argv
		// cannot carry a NUL byte (execve ends the string there).
		const spec = ['..', 'a/../../b', '/abs', '-rf', '--upload-pack=x', 'y'.repeat(300), 'p\u0430yp\u0430l', 'ｆｕｌｌ', 'zero\u200bwidth', '.hidden'];
		expect(spec.every(name => HOSTILE_NAMES.includes(name) || name === 'ｆｕｌｌ')).toBe(true);
		const invocations = spec.flatMap(name => [['new', name, '--git'], ['move', name, 'active', '--force']]);
		for (let index = 0; index < invocations.length; index += 4) {
			// A few at a time: the machine is shared.
			const batch = invocations.slice(index, index + 4);
			const results = await Promise.all(batch.map(async args => runCws([...args, '--workspace', ws.paths.root], {home, cwd: ws.paths.stageDir.sandbox})));
			results.forEach((result, at) => {
				expect([1, 2], `${JSON.stringify(batch[at])}: ${result.stderr}`).toContain(result.code);
			});
		}

		const refusal = await runCws(['new', '..', '--workspace', ws.paths.root], {home});
		expect(refusal.stderr).toContain('a project name is 1 to 64 characters of lowercase a-z');
		const after = (await listTree(parent)).filter(entry => !/^ws\/\.cws\/(locks|backups)\//.test(entry));
		expect(after).toEqual(before.filter(entry => !/^ws\/\.cws\/(locks|backups)\//.test(entry)));
	}, 120_000);

	it('kill -9 of `cws move` at random instants: the next start leaves one stage and `cws verify` clean', async () => {
		const ws = await workspace();
		const cws = async (...args: string[]) => runCws([...args, '--workspace', ws.paths.root], {home});
		expect((await cws('new', 'p')).code).toBe(0);
		// How long one `cws move` takes here, start-up included, to aim the kills at the move itself.
		const timed = await cws('move', 'p', 'active');
		expect(timed.code).toBe(0);
		let interrupted = 0;
		for (let round = 0; round < 20; round++) {
			const [where] = await whereIs(ws, 'p');
			const args = where === 'sandbox' ? ['move', 'p', 'active'] : ['demote', 'p'];
			// Odd rounds: kill just after the move wrote its intent (seen as a
			// rename of state.json); even rounds: at a random point of its life.
			const written = new Promise<void>(resolve => {
				const watcher = watch(ws.paths.meta, (_event, file) => {
					if (file === 'state.json') {
						watcher.close();
						resolve();
					}
				});
				setTimeout(() => {
					watcher.close();
					resolve();
				}, timed.ms * 3).unref();
			});
			const child = spawn(process.execPath, [CLI_PATH, ...args, '--workspace', ws.paths.root], {stdio: 'ignore', env: {...process.env, HOME: home}});
			const exited = new Promise(resolve => {
				child.once('exit', resolve);
			});
			await (round % 2 === 1 ? written.then(async () => sleep(Math.random() * 8)) : sleep(timed.ms * (0.4 + (Math.random() * 0.7))));
			child.kill('SIGKILL');
			await exited;
			expect(await whereIs(ws, 'p'), `round ${round}`).toHaveLength(1);
			if ((await ws.store.read(boardStateSpec)).data.pending) {
				interrupted++;
			}

			// The next start of any cws command sweeps dead locks and reconciles.
			const list = await cws('list', '--json');
			expect(list.code, list.stderr).toBe(0);
			const verify = await cws('verify', '--json');
			expect(verify.code, verify.stdout).toBe(0);
			expect(await verifyBoard(ws), `round ${round}`).toMatchObject({errors: [], warnings: []});
		}

		console.info(`cws move killed 20 times, ${interrupted} mid-move`);
		// Half the kills aim right after the intent was written; some must have hit.
		expect(interrupted).toBeGreaterThanOrEqual(3);
	}, 120_000);
});

async function listTree(dir: string): Promise<string[]> {
	const entries = await fs.readdir(dir, {recursive: true, withFileTypes: true});
	return entries.map(entry => path.relative(dir, path.join(entry.parentPath, entry.name))).sort();
}
