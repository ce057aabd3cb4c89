import fs from 'node:fs/promises';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {probeActivity} from '../../../source/core/board/activity.js';
import {newProject} from '../../../source/core/board/lifecycle.js';
import {parsePorcelainV2} from '../../../source/core/board/git.js';
import type {Runner} from '../../../source/core/board/runner.js';
import {execaRunner} from '../../../source/core/board/runner.js';
import {BoardScanner, scanBoard} from '../../../source/core/board/scanner.js';
import {tempDirs} from '../../helpers/tmp.js';
import {git, makeProject, makeWorkspace, writeFiles} from './helpers.js';

const temps = tempDirs('board-scan');
afterAll(async () => temps.cleanupAll());

describe('scan', () => {
	it('shows folders added by hand, reports missing ones, problems and leads', async () => {
		const ws = await makeWorkspace(await temps.create());
		await newProject(ws, 'kept', {stage: 'stable', model: 'commercial'});
		await newProject(ws, 'gone', {stage: 'active'});
		await fs.rm(path.join(ws.paths.stageDir.active, 'gone'), {recursive: true});
		await fs.mkdir(path.join(ws.paths.stageDir.sandbox, 'cloned'));
		await fs.mkdir(path.join(ws.paths.stageDir.sandbox, 'Bad Name'));
		await fs.symlink(await temps.create(), path.join(ws.paths.stageDir.active, 'linked'));
		await fs.mkdir(path.join(ws.paths.stageDir.public, 'kept'));
		const listing = await scanBoard(ws);
		expect(listing.cards.map(card => card.key)).toEqual(['sandbox/cloned', 'stable/kept', 'public/kept']);
		const cloned = listing.cards[0]!;
		expect(cloned).toMatchObject({recorded: false, model: 'open-source', stage: 'sandbox'});
		expect(Date.now() - Date.parse(cloned.created)).toBeLessThan(60_000);
		expect(listing.cards[1]).toMatchObject({model: 'commercial', lead: 'Sales (paid)', duplicate: true, recorded: true});
		expect(listing.cards[2]).toMatchObject({lead: 'Partners (API)', movedFrom: 'stable'});
		expect(listing.missing).toEqual([expect.objectContaining({name: 'gone', recorded: 'active'})]);
		expect(listing.problems.map(problem => problem.kind).sort()).toEqual(['bad-name', 'duplicate', 'symlink']);
	});

	it('reads git state: branch, dirty, ahead/behind against a bare upstream', async () => {
		const ws = await makeWorkspace(await temps.create());
		const bare = path.join(await temps.create(), 'remote.git');
		await git(path.dirname(bare), 'init', '-q', '--bare', '-b', 'main', bare);
		const dir = await makeProject(ws, 'active', 'app', {'a.txt': '1'});
		await git(dir, 'remote', 'add', 'origin', bare);
		await git(dir, 'push', '-q', '-u', 'origin', 'main');
		await makeProject(ws, 'active', 'plain', {}, {git: false});
		const scanner = new BoardScanner(ws);
		const {cards} = await scanner.list();
		let states = await scanner.git(cards);
		expect(states.get('active/app')).toEqual({kind: 'repo', branch: 'main', head: expect.stringMatching(/^[0-9a-f]{7}$/), dirty: false, changes: 0, upstream: 'origin/main', ahead: 0, behind: 0});
		expect(states.get('active/plain')).toEqual({kind: 'none'});

		await fs.writeFile(path.join(dir, 'a.txt'), '2');
		await git(dir, 'commit', '-qam', 'two');
		await fs.writeFile(path.join(dir, 'new.txt'), 'untracked');
		await scanner.activity(cards);
		states = await scanner.git(cards);
		expect(states.get('active/app')).toMatchObject({dirty: true, changes: 1, ahead: 1, behind: 0});
	});

	it('parses porcelain v2 renames and detached heads', () => {
		const output = ['# branch.oid 1234567890abcdef', '# branch.head (detached)', '2 R. N... 100644 100644 100644 aaa bbb R100 new.txt', 'old.txt', '? x', ''].join('\0');
		expect(parsePorcelainV2(output)).toEqual({kind: 'repo', branch: null, head: '1234567', dirty: true, changes: 2, upstream: null});
	});

	it('finds the newest content file, skipping .git and node_modules, within bounds', async () => {
		const dir = await temps.create();
		await writeFiles(dir, {'src/a.ts': 'a', 'src/deep/b.ts': 'b', 'node_modules/x/index.js': 'x', '.git/HEAD': 'ref'});
		const old = new Date('2020-01-01T00:00:00Z');
		await fs.utimes(path.join(dir, 'src/a.ts'), old, old);
		await fs.utimes(path.join(dir, 'src/deep/b.ts'), new Date('2021-06-01T00:00:00Z'), new Date('2021-06-01T00:00:00Z'));
		const probe = await probeActivity(dir);
		expect(probe.activity).toMatchObject({newestPath: 'src/deep/b.ts', newestMs: Date.parse('2021-06-01T00:00:00Z'), files: 2, truncated: false});
		const bounded = await probeActivity(dir, {maxEntries: 2});
		expect(bounded.activity.truncated).toBe(true);
	});

	it('marks sandbox projects stale by content age, not folder age', async () => {
		const ws = await makeWorkspace(await temps.create());
		const dir = await makeProject(ws, 'sandbox', 'idle', {'notes.md': 'x'}, {git: false});
		await makeProject(ws, 'sandbox', 'busy', {'notes.md': 'x'}, {git: false});
		const longAgo = new Date(Date.now() - 45 * 86_400_000);
		await fs.utimes(path.join(dir, 'notes.md'), longAgo, longAgo);
		const listing = await scanBoard(ws);
		expect(Object.fromEntries(listing.cards.map(card => [card.name, card.stale]))).toEqual({busy: false, idle: true});
		await fs.writeFile(ws.paths.config, JSON.stringify({board: {sandboxStaleDays: 60}}));
		expect((await scanBoard(ws)).cards.find(card => card.name === 'idle')!.stale).toBe(false);
	});

	it('reuses cached work on a warm refresh and notices each kind of change', async () => {
		const ws = await makeWorkspace(await temps.create());
		const dir = await makeProject(ws, 'active', 'app', {'a.txt': '1'});
		let gitRuns = 0;
		const counting: Runner = async (file, args, options) => {
			gitRuns++;
			return execaRunner(file, args, options);
		};

		const scanner = new BoardScanner(ws, {runner: counting});
		const refresh = async () => {
			const listing = await scanner.list();
			const activity = await scanner.activity(listing.cards);
			const states = await scanner.git(listing.cards);
			return {listing, activity, states};
		};

		const first = await refresh();
		expect(gitRuns).toBe(1);
		const warm = await refresh();
		expect(gitRuns).toBe(1);
		expect(warm.listing.cards).toEqual(first.listing.cards);

		// A project added in a shell shows up; git is not run again for the
		// unchanged repository (nor for the new folder, which has no .git).
		await makeProject(ws, 'sandbox', 'fresh', {}, {git: false});
		const added = await refresh();
		expect(added.listing.cards.map(card => card.key)).toEqual(['sandbox/fresh', 'active/app']);
		expect(added.states.get('sandbox/fresh')).toEqual({kind: 'none'});
		expect(gitRuns).toBe(1);

		// A commit made elsewhere is picked up through the repository's own files.
		await fs.writeFile(path.join(dir, 'b.txt'), 'new');
		await git(dir, 'add', 'b.txt');
		await git(dir, 'commit', '-qm', 'b');
		const committed = await refresh();
		expect(gitRuns).toBe(2);
		expect(committed.activity.get('active/app')!.newestPath).toBe('b.txt');
		expect(committed.states.get('active/app')).toMatchObject({dirty: false});
		expect(committed.states.get('active/app')).not.toEqual(first.states.get('active/app'));

		// A move by hand.
		await fs.rename(dir, path.join(ws.paths.stageDir.stable, 'app'));
		const movedByHand = await refresh();
		expect(movedByHand.listing.cards.map(card => card.key)).toEqual(['sandbox/fresh', 'stable/app']);
		expect(movedByHand.listing.cards[1]!.movedFrom).toBeUndefined();
	});
});
