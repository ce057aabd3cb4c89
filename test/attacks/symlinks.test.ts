/**
 * Attack: a link put where cws keeps a folder or a state file, pointing at a
 * victim outside the workspace. Every command that would touch it refuses
 * with a message naming the link, and the victim keeps every byte, its mode
 * and its mtime. Also proven elsewhere, and not repeated here: a symlinked
 * root or stage folder at `cws init` (test/cli/init.test.ts), atomic writes
 * and appends through a link (test/core/atomic-write.test.ts,
 * test/core/store-jsonl.test.ts), the scanner's listing of a linked project
 * (test/core/board/scan.test.ts).
 */
import {mkdir, rename, rm, symlink, unlink, writeFile, lstat, readdir} from 'node:fs/promises';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {moveProject} from '../../source/core/board/index.js';
import {workspacePaths} from '../../source/core/paths.js';
import {Store} from '../../source/core/store.js';
import {tempDirs} from '../helpers/tmp.js';
import {cws, expectNoCrash, fingerprint, sleep} from './helpers.js';

const dirs = tempDirs('attack-link');
afterAll(async () => dirs.cleanupAll());

/** A workspace with project `app` (sandbox), a sync target, a queued job and a whitelist; plus a victim file and folder outside it. */
async function setup() {
	const base = await dirs.create();
	const home = path.join(base, 'home');
	const root = path.join(base, 'ws');
	const victimDir = path.join(base, 'victim');
	await mkdir(home);
	await mkdir(victimDir);
	const victim = path.join(victimDir, 'secret.txt');
	await writeFile(victim, 'the victim\'s own bytes\n', {mode: 0o644});
	await mkdir(path.join(victimDir, 'app'));
	expect((await cws(home, root, ['new', 'app'])).code).toBe(0);
	await writeFile(path.join(root, '.cws', 'config.json'), JSON.stringify({sync: {stages: {sandbox: {targets: [{name: 'bk', kind: 'rsync', dest: path.join(base, 'backups', '{project}')}]}}}}), {mode: 0o600});
	const synced = await cws(home, root, ['sync', 'app', '--json']);
	expect(synced.code, synced.stderr).toBe(0);
	const job = (JSON.parse(synced.stdout) as {jobs: Array<{id: string}>}).jobs[0]!.id;
	expect((await cws(home, root, ['whitelist', 'add', '--name', 'vim'])).code).toBe(0);
	return {base, home, root, victim, victimDir, job};
}

type Op = {label: string; args: string[]};

describe('a state file replaced by a symlink to a victim file', () => {
	const files = [
		{file: 'state.json', touching: ['note', 'move', 'verify']},
		{file: 'config.json', touching: ['sync', 'move', 'verify']},
		{file: 'whitelist.json', touching: ['whitelist add', 'verify']},
		{file: 'queue job', touching: ['queue cancel', 'queue retry', 'verify']},
	];
	for (const {file, touching} of files) {
		it(`${file}: every command that touches it refuses and names the link; the victim is unchanged`, async () => {
			const {home, root, victim, victimDir, job} = await setup();
			const relative = file === 'queue job' ? path.join('queue', `${job}.json`) : file;
			const link = path.join(root, '.cws', relative);
			await rm(link);
			await symlink(victim, link);
			const before = await fingerprint(victimDir);
			const ops: Op[] = [
				{label: 'note', args: ['note', 'app', 'hello']},
				{label: 'move', args: ['move', 'app', 'active']},
				{label: 'sync', args: ['sync', 'app']},
				{label: 'whitelist add', args: ['whitelist', 'add', '--name', 'emacs']},
				{label: 'queue cancel', args: ['queue', 'cancel', job]},
				{label: 'queue retry', args: ['queue', 'retry', job]},
				{label: 'queue work', args: ['queue', 'work', '--once']},
				{label: 'list', args: ['list']},
				{label: 'queue', args: ['queue']},
				{label: 'verify', args: ['verify', '--repair']},
				{label: 'init', args: ['init']},
			];
			for (const op of ops) {
				const result = await cws(home, root, op.args);
				expectNoCrash(result, `${op.label} with ${file} linked`);
				if (touching.includes(op.label)) {
					expect(result.code, `${op.label} with ${file} linked:\n${result.stdout}${result.stderr}`).toBe(1);
					expect(`${result.stdout}${result.stderr}`, op.label).toMatch(/symbolic link/);
					expect(`${result.stdout}${result.stderr}`, op.label).toContain(path.basename(link));
				}

				expect(await fingerprint(victimDir), `victim after ${op.label}`).toEqual(before);
				expect((await lstat(link)).isSymbolicLink(), `the link is still a link after ${op.label}`).toBe(true);
			}

			// Nothing read through the link was copied into the workspace either.
			const quarantined = await readdir(path.join(root, '.cws', 'quarantine'), {recursive: true});
			expect(quarantined.filter(name => name.endsWith('.bad'))).toEqual([]);
		}, 60_000);
	}
});

describe('a folder replaced by a symlink to a victim folder', () => {
	const cases = [
		{what: 'a stage folder', at: 'active'},
		{what: 'the project folder', at: 'sandbox/app'},
		{what: '.cws', at: '.cws'},
	];
	for (const {what, at} of cases) {
		it(`${what}: move, note, sync, whitelist add, verify --repair, init and new are refused or leave it alone; the victim is unchanged`, async () => {
			const {home, root, victimDir} = await setup();
			const link = path.join(root, at);
			await rename(link, `${link}.real`);
			await symlink(victimDir, link);
			const before = await fingerprint(victimDir);
			const ops: Op[] = [
				{label: 'move', args: ['move', 'app', 'active']},
				{label: 'note', args: ['note', 'app', 'hello']},
				{label: 'sync', args: ['sync', 'app']},
				{label: 'whitelist add', args: ['whitelist', 'add', '--name', 'emacs']},
				{label: 'verify', args: ['verify', '--repair']},
				{label: 'init', args: ['init']},
				{label: 'new', args: ['new', 'other', '--stage', 'active']},
				{label: 'archive', args: ['archive', 'app']},
				{label: 'rm', args: ['rm', 'app']},
			];
			const mustRefuse = at === '.cws'
				? ops.map(op => op.label)
				: at === 'active' ? ['move', 'verify', 'init', 'new'] : ['move', 'note', 'sync', 'verify', 'archive', 'rm'];
			for (const op of ops) {
				const result = await cws(home, root, op.args);
				expectNoCrash(result, `${op.label} with ${at} linked`);
				if (mustRefuse.includes(op.label)) {
					expect(result.code, `${op.label} with ${at} linked:\n${result.stdout}${result.stderr}`).toBe(1);
					expect(`${result.stdout}${result.stderr}`, op.label).toMatch(/symbolic link/);
				}

				expect(await fingerprint(victimDir), `victim after ${op.label}`).toEqual(before);
				expect((await lstat(link)).isSymbolicLink(), `the link is still a link after ${op.label}`).toBe(true);
			}
		}, 60_000);
	}
});

describe('a folder swapped for a symlink while a move runs', () => {
	it('at the last instant before the rename (the destination stage, then the origin stage): refused, the victim unchanged, the project still inside', async () => {
		const {root, victimDir} = await setup();
		const paths = workspacePaths(root);
		const ws = {paths, store: new Store(paths.meta)};
		const before = await fingerprint(victimDir);
		for (const swapped of ['active', 'sandbox'] as const) {
			const real = `${paths.stageDir[swapped]}.real`;
			const error = await moveProject(ws, 'app', 'active', {
				hooks: {
					async step(step) {
						if (step === 'intent-written') {
							await rename(paths.stageDir[swapped], real);
							await symlink(victimDir, paths.stageDir[swapped]);
						}
					},
				},
			}).then(() => undefined, (error: unknown) => error);
			expect(await fingerprint(victimDir), `victim after swapping ${swapped}`).toEqual(before);
			await unlink(paths.stageDir[swapped]);
			await rename(real, paths.stageDir[swapped]);
			expect(error, `move with ${swapped} swapped for a link`).toMatchObject({code: 'SYMLINK_REFUSED'});
			expect((await lstat(path.join(paths.stageDir.sandbox, 'app'))).isDirectory()).toBe(true);
		}
	});

	it('many moves through the CLI while a loop keeps swapping the destination stage and the project folder: the victim is unchanged every time', async () => {
		const {home, root, victimDir} = await setup();
		const paths = workspacePaths(root);
		const before = await fingerprint(victimDir);
		let running = true;
		let swaps = 0;
		// One loop, alternating between the destination stage and the project folder.
		const targets = [paths.stageDir.stable, path.join(paths.stageDir.active, 'app'), path.join(paths.stageDir.stable, 'app')];
		const swapper = async () => {
			for (let turn = 0; running; turn++) {
				const target = targets[turn % targets.length]!;
				const real = `${target}.real`;
				try {
					await rename(target, real);
					try {
						await symlink(victimDir, target);
						await sleep(Math.random() * 3);
						await unlink(target);
					} finally {
						await rename(real, target);
					}

					swaps++;
				} catch {
					// Not there right now (the project is in the other stage): next one.
				}

				// Mostly real, so that some moves get through and others are caught mid-way.
				await sleep(20 + Math.random() * 120);
			}
		};

		expect((await cws(home, root, ['move', 'app', 'active'])).code).toBe(0);
		const loops = [swapper()];
		const outcomes = {moved: 0, refused: 0, messages: new Set<string>()};
		try {
			// At least 16 moves, and on until both outcomes were seen (a move that got
			// through and one that met a swapped folder): the race is random.
			for (let round = 0; round < 16 || ((outcomes.moved === 0 || outcomes.refused === 0) && round < 80); round++) {
				const to = round % 2 === 0 ? 'stable' : 'active';
				const result = await cws(home, root, ['move', 'app', to, '--force']);
				expectNoCrash(result, `move app ${to}`);
				if (result.code === 0) {
					outcomes.moved++;
				} else {
					outcomes.refused++;
					outcomes.messages.add(result.stderr.split('\n')[0]!.replace(root, '<ws>'));
				}

				expect(await fingerprint(victimDir), `victim after round ${round}`).toEqual(before);
			}
		} finally {
			running = false;
			await Promise.all(loops);
		}

		expect(swaps).toBeGreaterThan(5);
		expect(await fingerprint(victimDir)).toEqual(before);
		// The project is in exactly one place, a real folder inside the workspace.
		const places = [];
		for (const stage of ['sandbox', 'active', 'stable', 'public'] as const) {
			const stats = await lstat(path.join(paths.stageDir[stage], 'app')).catch(() => undefined);
			if (stats) {
				expect(stats.isDirectory(), `${stage}/app is a real folder`).toBe(true);
				places.push(stage);
			}
		}

		expect(places).toHaveLength(1);
		const verify = await cws(home, root, ['verify', '--json']);
		const problems = (JSON.parse(verify.stdout) as {issues: Array<{path: string}>}).issues.map(issue => issue.path).filter(file => !file.endsWith('config.json'));
		expect(problems, verify.stdout).toEqual([]);
		// Both outcomes happened: the race was really run, not avoided.
		expect(outcomes.moved, [...outcomes.messages].join('\n')).toBeGreaterThan(0);
		expect(outcomes.refused, 'no move met a swapped folder').toBeGreaterThan(0);
	}, 120_000);
});
