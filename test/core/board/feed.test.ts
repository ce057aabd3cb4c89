import {execFile} from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import {promisify} from 'node:util';
import {afterAll, describe, expect, it} from 'vitest';
import {BoardFeed, type BoardSnapshot} from '../../../source/core/board/feed.js';
import {moveProject} from '../../../source/core/board/moves.js';
import type {BoardScanner} from '../../../source/core/board/scanner.js';
import {execaRunner, type Runner} from '../../../source/core/board/runner.js';
import {tempDirs} from '../../helpers/tmp.js';
import {makeProject, makeWorkspace} from './helpers.js';

const exec = promisify(execFile);
const temps = tempDirs('board-feed');
afterAll(async () => temps.cleanupAll());

/** Resolves with the first snapshot (current or future) that satisfies `test`, or fails after `ms`. */
async function waitFor(feed: BoardFeed, test: (snapshot: BoardSnapshot) => boolean, ms = 2000): Promise<{snapshot: BoardSnapshot; elapsed: number}> {
	const started = Date.now();
	return new Promise((resolve, reject) => {
		const check = () => {
			const snapshot = feed.getSnapshot();
			if (test(snapshot)) {
				clearTimeout(timer);
				unsubscribe();
				resolve({snapshot, elapsed: Date.now() - started});
			}
		};

		const unsubscribe = feed.subscribe(check);
		const timer = setTimeout(() => {
			unsubscribe();
			reject(new Error(`no matching snapshot within ${ms} ms; last: ${JSON.stringify(feed.getSnapshot().listing.cards.map(card => [card.key, card.git]))}`));
		}, ms);
		check();
	});
}

describe('BoardFeed', () => {
	it('publishes the listing before git answers, then the git state', async () => {
		const ws = await makeWorkspace(await temps.create());
		await makeProject(ws, 'active', 'app', {'a.txt': '1'});
		let release!: () => void;
		const gate = new Promise<void>(resolve => {
			release = resolve;
		});
		const slow: Runner = async (file, args, options) => {
			await gate;
			return execaRunner(file, args, options);
		};

		const feed = new BoardFeed(ws, {runner: slow, intervalMs: 100});
		// Git runs for the cards on screen.
		feed.setFocus(['active/app']);
		feed.start();
		try {
			const first = await waitFor(feed, snapshot => snapshot.listing.cards.length === 1);
			expect(first.snapshot.listing.cards[0]!.git).toBeUndefined();
			const before = feed.getSnapshot();
			expect(feed.getSnapshot()).toBe(before);
			release();
			const withGit = await waitFor(feed, snapshot => snapshot.listing.cards[0]?.git?.kind === 'repo');
			expect(withGit.snapshot.listing.cards[0]!.activity?.newestPath).toBe('a.txt');
		} finally {
			feed.stop();
		}
	});

	it('publishes the listing\'s own cards until there is something to add to them, then copies with their activity', async () => {
		const ws = await makeWorkspace(await temps.create());
		await makeProject(ws, 'sandbox', 'one', {'a.txt': '1'}, {git: false});
		await makeProject(ws, 'active', 'two', {'b.txt': '2'}, {git: false});
		const feed = new BoardFeed(ws, {intervalMs: 60_000, watch: false});
		const snapshots: BoardSnapshot[] = [];
		const unsubscribe = feed.subscribe(() => snapshots.push(feed.getSnapshot()));
		try {
			await feed.refresh();
			// Nothing changed since: the scanner hands back the listing the feed published from.
			const {cards} = await (feed as unknown as {scanner: BoardScanner}).scanner.list();
			const [first, last] = [snapshots[0]!, snapshots.at(-1)!];
			expect(first.listing.cards.map(card => card.key)).toEqual(['sandbox/one', 'active/two']);
			expect(first.listing.cards[0]).toBe(cards[0]);
			expect(first.listing.cards[1]).toBe(cards[1]);
			expect(last.listing.cards[0]!.activity?.newestPath).toBe('a.txt');
			expect(last.listing.cards[0]).not.toBe(cards[0]);
			expect(last.listing.cards[0]).toEqual({...cards[0], activity: last.listing.cards[0]!.activity, stale: false});
			expect(cards[0]).not.toHaveProperty('activity');
		} finally {
			unsubscribe();
			feed.stop();
		}
	});

	it('shows changes made by other processes within 2 s: a new folder, a git commit, a mv', async () => {
		const ws = await makeWorkspace(await temps.create());
		const dir = await makeProject(ws, 'active', 'app', {'a.txt': '1'});
		const feed = new BoardFeed(ws, {intervalMs: 500});
		feed.setFocus(['active/app']);
		feed.start();
		try {
			await waitFor(feed, snapshot => snapshot.listing.cards[0]?.git?.kind === 'repo');
			await exec('mkdir', [path.join(ws.paths.stageDir.sandbox, 'made-in-a-shell')]);
			const added = await waitFor(feed, snapshot => snapshot.listing.cards.some(card => card.key === 'sandbox/made-in-a-shell'));
			expect(added.elapsed).toBeLessThan(2000);

			// The head before the commit: read after it, a quick refresh may already show the new one.
			const before = feed.getSnapshot().listing.cards.find(card => card.key === 'active/app')!.git;
			await fs.writeFile(path.join(dir, 'a.txt'), 'changed');
			await exec('git', ['commit', '-qam', 'second'], {cwd: dir});
			const committed = await waitFor(feed, snapshot => {
				const git = snapshot.listing.cards.find(card => card.key === 'active/app')?.git;
				return git?.kind === 'repo' && before?.kind === 'repo' && git.head !== before.head;
			});
			expect(committed.elapsed).toBeLessThan(2000);

			await exec('mv', [dir, path.join(ws.paths.stageDir.stable, 'app')]);
			const moved = await waitFor(feed, snapshot => snapshot.listing.cards.some(card => card.key === 'stable/app'));
			expect(moved.elapsed).toBeLessThan(2000);
			expect(moved.snapshot.listing.cards.some(card => card.key === 'active/app')).toBe(false);
		} finally {
			feed.stop();
		}
	});

	it('refresh() after a move of this process shows the card in its new column', async () => {
		const ws = await makeWorkspace(await temps.create());
		await makeProject(ws, 'sandbox', 'p', {}, {git: false});
		const feed = new BoardFeed(ws, {intervalMs: 60_000});
		feed.start();
		try {
			await waitFor(feed, snapshot => snapshot.listing.cards.length === 1);
			await moveProject(ws, 'p', 'active');
			await feed.refresh();
			expect(feed.getSnapshot().listing.cards.map(card => card.key)).toEqual(['active/p']);
			expect(feed.getSnapshot().listing.cards[0]!.lastMove).toMatchObject({from: 'sandbox', to: 'active'});
			// Nothing changed: no new snapshot.
			const same = feed.getSnapshot();
			await feed.refresh();
			await sleep(10);
			expect(feed.getSnapshot()).toBe(same);
		} finally {
			feed.stop();
		}
	});
});
