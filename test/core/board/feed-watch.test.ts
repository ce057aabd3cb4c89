import fs, {type FSWatcher} from 'node:fs';
import fsp from 'node:fs/promises';
import {EventEmitter} from 'node:events';
import path from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import {afterAll, describe, expect, it} from 'vitest';
import {BoardFeed, type BoardFeedOptions, type BoardSnapshot} from '../../../source/core/board/feed.js';
import {execaRunner, type Runner} from '../../../source/core/board/runner.js';
import type {WatchFactory} from '../../../source/core/board/watcher.js';
import {tempDirs} from '../../helpers/tmp.js';
import {git, makeProject, makeWorkspace, writeFiles} from './helpers.js';

const temps = tempDirs('board-feed-watch');
afterAll(async () => temps.cleanupAll());

/** Resolves with how long it took until `test` held for a snapshot, or fails after `ms`. */
async function waitFor(feed: BoardFeed, test: (snapshot: BoardSnapshot) => boolean, what: string, ms = 2000): Promise<number> {
	const started = Date.now();
	while (!test(feed.getSnapshot())) {
		if (Date.now() - started > ms) throw new Error(`${what}: not seen within ${ms} ms`);
		await sleep(20);
	}

	return Date.now() - started;
}

const card = (snapshot: BoardSnapshot, key: string) => snapshot.listing.cards.find(item => item.key === key);
const gitOf = (snapshot: BoardSnapshot, key: string) => card(snapshot, key)?.git;

/** A started feed with app (a repository with a src folder) on screen, once its git state shows. Polling is an hour apart: only watches can make it see anything. */
async function startedFeed(options: BoardFeedOptions = {}) {
	const ws = await makeWorkspace(await temps.create());
	const dir = await makeProject(ws, 'active', 'app', {'README.md': 'r', 'src/old.ts': 'o', 'src/new.ts': 'n'});
	const past = new Date(Date.now() - 86_400_000);
	await fsp.utimes(path.join(dir, 'src/old.ts'), past, past);
	const runs: string[] = [];
	const runner: Runner = async (file, args, runOptions) => {
		runs.push(path.basename(runOptions.cwd));
		return execaRunner(file, args, runOptions);
	};

	const feed = new BoardFeed(ws, {intervalMs: 3_600_000, safetyMs: 3_600_000, runner, ...options});
	feed.setFocus(['active/app']);
	feed.start();
	await waitFor(feed, snapshot => gitOf(snapshot, 'active/app')?.kind === 'repo', 'first git state');
	// The refresh that arms the card's folders (the interface asks for it once the cards on screen are known).
	await feed.refresh();
	return {ws, dir, feed, runs};
}

describe('BoardFeed with watches', () => {
	it('sees a new project, a commit and an in-place edit in a subfolder within 2 s without polling, and does nothing while nothing changes', async () => {
		const {ws, dir, feed, runs} = await startedFeed();
		try {
			expect(feed.watchCount).toBeGreaterThan(0);
			expect(feed.watchCount).toBeLessThan(20);
			const quiet = feed.getSnapshot();
			const ran = runs.length;
			await sleep(1500);
			// Nothing changed: no new snapshot and no git command.
			expect(feed.getSnapshot()).toBe(quiet);
			expect(runs.length).toBe(ran);

			await fsp.mkdir(path.join(ws.paths.stageDir.sandbox, 'made-in-a-shell'));
			expect(await waitFor(feed, snapshot => card(snapshot, 'sandbox/made-in-a-shell') !== undefined, 'new folder')).toBeLessThan(2000);

			// Written in place, in a subfolder, to a file that is not the newest: no folder's mtime changes.
			fs.writeFileSync(path.join(dir, 'src/old.ts'), 'edited');
			expect(await waitFor(feed, snapshot => {
				const state = gitOf(snapshot, 'active/app');
				return state?.kind === 'repo' && state.dirty;
			}, 'dirty after an in-place edit')).toBeLessThan(2000);
			expect(card(feed.getSnapshot(), 'active/app')!.activity!.newestPath).toBe('src/old.ts');

			const before = gitOf(feed.getSnapshot(), 'active/app');
			await git(dir, 'commit', '-qam', 'second');
			expect(await waitFor(feed, snapshot => {
				const state = gitOf(snapshot, 'active/app');
				return state?.kind === 'repo' && before?.kind === 'repo' && state.head !== before.head && !state.dirty;
			}, 'new head after a commit')).toBeLessThan(2000);

			await fsp.rename(dir, path.join(ws.paths.stageDir.stable, 'app'));
			expect(await waitFor(feed, snapshot => card(snapshot, 'stable/app') !== undefined && card(snapshot, 'active/app') === undefined, 'moved by mv')).toBeLessThan(2000);
		} finally {
			feed.stop();
		}

		expect(feed.watchCount).toBe(0);
	});

	it('keeps seeing changes after a watched stage folder and a card folder are replaced', async () => {
		const {ws, dir, feed} = await startedFeed();
		try {
			// The stage folder replaced by another one holding the same project.
			const active = ws.paths.stageDir.active;
			await fsp.rename(active, `${active}.old`);
			await fsp.mkdir(active);
			await fsp.rename(path.join(`${active}.old`, 'app'), dir);
			await fsp.rm(`${active}.old`, {recursive: true});
			await sleep(300);
			await fsp.mkdir(path.join(active, 'second'));
			expect(await waitFor(feed, snapshot => card(snapshot, 'active/second') !== undefined, 'a project in the new stage folder')).toBeLessThan(2000);

			// The project folder itself replaced by a fresh clone-like copy (new inodes everywhere).
			await fsp.rename(dir, `${dir}.old`);
			await fsp.cp(`${dir}.old`, dir, {recursive: true});
			await fsp.rm(`${dir}.old`, {recursive: true});
			await sleep(300);
			fs.writeFileSync(path.join(dir, 'src/old.ts'), 'edited after the copy');
			expect(await waitFor(feed, snapshot => {
				const state = gitOf(snapshot, 'active/app');
				return state?.kind === 'repo' && state.dirty;
			}, 'dirty in the replaced folder')).toBeLessThan(2000);
			const before = gitOf(feed.getSnapshot(), 'active/app');
			await git(dir, 'commit', '-qam', 'after the copy');
			expect(await waitFor(feed, snapshot => {
				const state = gitOf(snapshot, 'active/app');
				return state?.kind === 'repo' && before?.kind === 'repo' && state.head !== before.head;
			}, 'commit in the replaced folder')).toBeLessThan(2000);
		} finally {
			feed.stop();
		}
	});

	it('a watch lost without a word is made up for by the safety check', async () => {
		// Watches that are accepted but never report anything (a network file system).
		const silent: WatchFactory = () => Object.assign(new EventEmitter(), {close() {}, ref() {}, unref() {}}) as unknown as FSWatcher;
		const {ws, dir, feed} = await startedFeed({watch: silent, safetyMs: 500});
		try {
			expect(feed.watchCount).toBeGreaterThan(0);
			await fsp.mkdir(path.join(ws.paths.stageDir.sandbox, 'unseen-by-watches'));
			expect(await waitFor(feed, snapshot => card(snapshot, 'sandbox/unseen-by-watches') !== undefined, 'found by the safety check', 3000)).toBeLessThan(3000);
			// A watched card on screen is re-checked every third safety check.
			const before = gitOf(feed.getSnapshot(), 'active/app');
			await git(dir, 'commit', '-q', '--allow-empty', '-m', 'unseen');
			expect(await waitFor(feed, snapshot => {
				const state = gitOf(snapshot, 'active/app');
				return state?.kind === 'repo' && before?.kind === 'repo' && state.head !== before.head;
			}, 'commit found by the safety check', 4000)).toBeLessThan(4000);
		} finally {
			feed.stop();
		}
	});

	it('polls as before when the system refuses watches (no room), and never fails for it', async () => {
		let asked = 0;
		const refused: WatchFactory = () => {
			asked++;
			throw Object.assign(new Error('ENOSPC: System limit for number of file watchers reached'), {code: 'ENOSPC'});
		};

		const {ws, dir, feed} = await startedFeed({watch: refused, intervalMs: 300});
		try {
			expect(asked).toBeGreaterThan(0);
			expect(feed.watchCount).toBe(0);
			await fsp.mkdir(path.join(ws.paths.stageDir.sandbox, 'polled'));
			expect(await waitFor(feed, snapshot => card(snapshot, 'sandbox/polled') !== undefined, 'found by polling')).toBeLessThan(2000);
			const before = gitOf(feed.getSnapshot(), 'active/app');
			await writeFiles(dir, {'more.txt': 'm'});
			await git(dir, 'add', '-A');
			await git(dir, 'commit', '-qm', 'polled commit');
			expect(await waitFor(feed, snapshot => {
				const state = gitOf(snapshot, 'active/app');
				return state?.kind === 'repo' && before?.kind === 'repo' && state.head !== before.head;
			}, 'commit found by polling')).toBeLessThan(2000);
			expect(feed.getSnapshot().error).toBeUndefined();
		} finally {
			feed.stop();
		}
	});

	it('holds at most maxWatches, and polls the cards on screen left unwatched', async () => {
		const {ws, feed} = await startedFeed({maxWatches: 9, intervalMs: 300});
		const other = await makeProject(ws, 'active', 'other', {'a.txt': '1'});
		try {
			feed.setFocus(['active/app', 'active/other']);
			await feed.refresh();
			expect(feed.watchCount).toBeLessThanOrEqual(9);
			const before = gitOf(feed.getSnapshot(), 'active/other');
			expect(before?.kind).toBe('repo');
			fs.writeFileSync(path.join(other, 'a.txt'), 'edited');
			expect(await waitFor(feed, snapshot => {
				const state = gitOf(snapshot, 'active/other');
				return state?.kind === 'repo' && state.dirty;
			}, 'the unwatched card, polled')).toBeLessThan(2000);
		} finally {
			feed.stop();
		}
	});
});
