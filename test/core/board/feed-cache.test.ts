import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {probeActivity} from '../../../source/core/board/activity.js';
import {BoardFeed} from '../../../source/core/board/feed.js';
import type {ProjectCard} from '../../../source/core/board/listing.js';
import {execaRunner, type Runner} from '../../../source/core/board/runner.js';
import {walkBounds, walkInThread, walkProjectsSync} from '../../../source/core/board/walk.js';
import {tempDirs} from '../../helpers/tmp.js';
import {makeProject, makeWorkspace, writeFiles} from './helpers.js';

const temps = tempDirs('board-feed-cache');
afterAll(async () => temps.cleanupAll());

const cardOf = (feed: BoardFeed, key: string): ProjectCard | undefined => feed.getSnapshot().listing.cards.find(card => card.key === key);

/** Refreshes until `test` holds, at most `limit` times; how many it took (Infinity if never). */
async function refreshesUntil(feed: BoardFeed, test: () => boolean, limit: number): Promise<number> {
	for (let count = 1; count <= limit; count++) {
		await feed.refresh();
		if (test()) return count;
	}

	return Number.POSITIVE_INFINITY;
}

describe('BoardFeed caching', () => {
	it('walks every project on the first refresh, in a thread for a big board, with the same answers as the walk here', async () => {
		const ws = await makeWorkspace(await temps.create());
		for (let index = 0; index < 70; index++) {
			await makeProject(ws, 'sandbox', `p-${String(index).padStart(2, '0')}`, {'a.txt': 'a', [`src/f${index}.ts`]: 'x'}, {git: false});
		}

		const feed = new BoardFeed(ws, {intervalMs: 60_000});
		await feed.refresh();
		const {cards} = feed.getSnapshot().listing;
		expect(cards).toHaveLength(70);
		for (const card of cards) {
			const here = await probeActivity(card.dir);
			expect(card.activity).toEqual(here.activity);
		}
	});

	it('walks in a thread exactly as with promises: bounds, skipped folders, a vanished project', async () => {
		const root = await temps.create();
		const full = path.join(root, 'full');
		await writeFiles(full, {'a.ts': 'a', 'src/b.ts': 'b', 'src/deep/c.ts': 'c', 'node_modules/x/i.js': 'x', '.git/HEAD': 'ref', 'docs/readme.md': 'r'});
		const empty = path.join(root, 'empty');
		await fsp.mkdir(empty);
		const gone = path.join(root, 'gone');
		for (const options of [{}, {maxEntries: 3}, {maxDepth: 1}]) {
			const [threaded, sync] = [await walkInThread([full, empty, gone], options), walkProjectsSync([full, empty, gone], walkBounds(options), fs)];
			expect(threaded).toEqual(sync);
			expect(threaded[0]).toEqual({probe: await probeActivity(full, options)});
			expect(threaded[1]).toEqual({probe: await probeActivity(empty, options)});
			expect(threaded[2]).toMatchObject({code: 'ENOENT'});
		}
	});

	it('sees a file added off screen within one round of background checks, and on screen at the next refresh', async () => {
		const ws = await makeWorkspace(await temps.create());
		const dirs: string[] = [];
		for (const name of ['a', 'b', 'c', 'd', 'e', 'f']) dirs.push(await makeProject(ws, 'active', name, {'one.txt': '1'}, {git: false}));
		const feed = new BoardFeed(ws, {intervalMs: 60_000, backgroundBatch: 2});
		feed.setFocus(['active/a']);
		await feed.refresh();
		expect(cardOf(feed, 'active/f')!.activity!.newestPath).toBe('one.txt');

		await writeFiles(dirs[5]!, {'src/new.txt': 'new'});
		// Six cards, two checked per refresh: seen within three refreshes, however the round robin stands.
		const offScreen = await refreshesUntil(feed, () => cardOf(feed, 'active/f')!.activity!.newestPath === 'src/new.txt', 6);
		expect(offScreen).toBeLessThanOrEqual(3);

		await writeFiles(dirs[0]!, {'new.txt': 'new'});
		expect(await refreshesUntil(feed, () => cardOf(feed, 'active/a')!.activity!.newestPath === 'new.txt', 3)).toBe(1);
	});

	it('shows a project renamed or moved outside cws in its new place at the next refresh, walked', async () => {
		const ws = await makeWorkspace(await temps.create());
		const dir = await makeProject(ws, 'sandbox', 'old-name', {'notes.md': 'x'}, {git: false});
		const feed = new BoardFeed(ws, {intervalMs: 60_000});
		await feed.refresh();
		await fsp.rename(dir, path.join(ws.paths.stageDir.stable, 'new-name'));
		await feed.refresh();
		const keys = feed.getSnapshot().listing.cards.map(card => card.key);
		expect(keys).toEqual(['stable/new-name']);
		expect(cardOf(feed, 'stable/new-name')!.activity!.newestPath).toBe('notes.md');
	});

	it('shows the dirty marker of a card on screen after a file is edited in place, and git runs only for cards on screen', async () => {
		const ws = await makeWorkspace(await temps.create());
		const dir = await makeProject(ws, 'active', 'shown', {'a.txt': '1'});
		await makeProject(ws, 'active', 'hidden', {'a.txt': '1'});
		const ran: string[] = [];
		const counting: Runner = async (file, args, options) => {
			ran.push(path.basename(options.cwd));
			return execaRunner(file, args, options);
		};

		const feed = new BoardFeed(ws, {intervalMs: 60_000, runner: counting});
		feed.setFocus(['active/shown']);
		await feed.refresh();
		expect(cardOf(feed, 'active/shown')!.git).toMatchObject({kind: 'repo', dirty: false});
		expect(cardOf(feed, 'active/hidden')!.git).toBeUndefined();
		await feed.refresh();
		expect(ran).toEqual(['shown']);

		// Written in place (no folder changes), as many editors save.
		fs.writeFileSync(path.join(dir, 'a.txt'), 'edited');
		const seen = await refreshesUntil(feed, () => cardOf(feed, 'active/shown')!.git?.kind === 'repo' && (cardOf(feed, 'active/shown')!.git as {dirty: boolean}).dirty, 3);
		expect(seen).toBe(1);
		expect(ran).toEqual(['shown', 'shown']);
	});

	it('sees an in-place edit of a file other than the newest once the on-screen walk is older than focusTtlMs', async () => {
		const ws = await makeWorkspace(await temps.create());
		const dir = await makeProject(ws, 'active', 'app', {'old.txt': 'o', 'newest.txt': 'n'}, {git: false});
		const past = new Date(Date.now() - 86_400_000);
		await fsp.utimes(path.join(dir, 'old.txt'), past, past);
		let now = Date.now();
		const feed = new BoardFeed(ws, {intervalMs: 60_000, focusTtlMs: 5000, now: () => now});
		feed.setFocus(['active/app']);
		await feed.refresh();
		expect(cardOf(feed, 'active/app')!.activity!.newestPath).toBe('newest.txt');
		fs.writeFileSync(path.join(dir, 'old.txt'), 'edited in place');
		await feed.refresh();
		// Neither a folder nor the newest file changed: the cached walk still holds...
		expect(cardOf(feed, 'active/app')!.activity!.newestPath).toBe('newest.txt');
		now += 6000;
		await feed.refresh();
		// ...until it is older than the time-to-live for cards on screen.
		expect(cardOf(feed, 'active/app')!.activity!.newestPath).toBe('old.txt');
	});

	it('publishes nothing when nothing changed, and keeps the objects of unchanged cards when one changes', async () => {
		const ws = await makeWorkspace(await temps.create());
		const dir = await makeProject(ws, 'active', 'a', {'one.txt': '1'}, {git: false});
		await makeProject(ws, 'active', 'b', {'one.txt': '1'}, {git: false});
		const feed = new BoardFeed(ws, {intervalMs: 60_000});
		feed.setFocus(['active/a', 'active/b']);
		await feed.refresh();
		const first = feed.getSnapshot();
		await feed.refresh();
		await feed.refresh();
		expect(feed.getSnapshot()).toBe(first);
		await writeFiles(dir, {'two.txt': '2'});
		await feed.refresh();
		const second = feed.getSnapshot();
		expect(second).not.toBe(first);
		expect(cardOf(feed, 'active/a')).not.toBe(first.listing.cards[0]);
		expect(cardOf(feed, 'active/a')!.activity!.newestPath).toBe('two.txt');
		expect(cardOf(feed, 'active/b')).toBe(first.listing.cards[1]);
	});
});
