import type {Dirent} from 'node:fs';
import {describe, expect, it} from 'vitest';
import {buildListing, type FolderListing} from '../../../source/core/board/listing.js';
import type {BoardState, Location, ProjectRecord} from '../../../source/core/board/model.js';
import {workspacePaths} from '../../../source/core/paths.js';
import {buildListing as buildSorting} from './reference/listing-sorting.js';
import {prng} from '../../helpers/prng.js';

const paths = workspacePaths('/ws');
const LOCATIONS = ['sandbox', 'active', 'stable', 'public', 'archive'] as const;
const AT = '2026-11-26T09:02:01.357Z';

type Kind = 'dir' | 'file' | 'link';

/** A folder entry as readdir({withFileTypes}) gives it. */
function entry(name: string, kind: Kind = 'dir'): Dirent {
	return {name, isDirectory: () => kind === 'dir', isSymbolicLink: () => kind === 'link'} as unknown as Dirent;
}

function record(location: Location, extra: Partial<ProjectRecord> = {}): ProjectRecord {
	return {model: 'hybrid', description: '', created: AT, history: [{from: null, to: location, at: AT, reason: 'created', forced: false}], notes: [], ...extra};
}

function folders(entries: Partial<Record<Location, Dirent[]>>): Record<Location, FolderListing> {
	return Object.fromEntries(LOCATIONS.map(location => [location, {entries: entries[location] ?? []}])) as Record<Location, FolderListing>;
}

function shuffled<T>(items: readonly T[], next: () => number): T[] {
	const copy = [...items];
	for (let index = copy.length - 1; index > 0; index--) {
		const other = Math.floor(next() * (index + 1));
		[copy[index], copy[other]] = [copy[other]!, copy[index]!];
	}

	return copy;
}

describe('buildListing', () => {
	it('lists the same cards, problems and missing projects as the stage-and-name sort, in any folder order', () => {
		const next = prng(3);
		for (let round = 0; round < 40; round++) {
			const projects: Record<string, ProjectRecord> = {};
			const entries: Partial<Record<Location, Dirent[]>> = {};
			for (const [index, location] of LOCATIONS.entries()) {
				const list: Dirent[] = [];
				for (let count = 0; count < 30; count++) {
					const name = `p${Math.floor(next() * 60)}-${['a', 'b', 'c'][count % 3]}`;
					if (list.some(item => item.name === name)) continue;
					list.push(entry(name));
					// Most have a record, some where they are, some elsewhere (moved by hand), some none.
					const chance = next();
					if (chance < 0.6) projects[name] = record(location);
					else if (chance < 0.8) projects[name] = record(LOCATIONS[(index + 1) % 5]!);
				}

				list.push(entry('.hidden'), entry('Bad Name'), entry(`file-${index}`, 'file'), entry(`link-${index}`, 'link'));
				entries[location] = next() < 0.3 ? list.sort((a, b) => a.name < b.name ? -1 : 1) : shuffled(list, next);
			}

			for (let count = 0; count < 10; count++) projects[`gone-${count}`] = record('active');
			const state: BoardState = {projects, pending: null, trash: []};
			const input = {paths, state, folders: folders(entries), bornOf: () => 0, now: 1};
			expect(buildListing(input)).toEqual(buildSorting(input));
		}
	});

	it('sorts the cards of each stage by name when the folder is not read in name order', () => {
		const state: BoardState = {projects: {b: record('sandbox')}, pending: null, trash: []};
		const listing = buildListing({paths, state, folders: folders({sandbox: [entry('c'), entry('b'), entry('a')], active: [entry('z'), entry('y')]}), bornOf: () => 0, now: 1});
		expect(listing.cards.map(card => card.key)).toEqual(['sandbox/a', 'sandbox/b', 'sandbox/c', 'active/y', 'active/z']);
		expect(listing.cards.map(card => card.recorded)).toEqual([false, true, false, false, false]);
	});

	it('takes a folder named like a property of every object ("constructor") for a project added by hand', () => {
		const state: BoardState = {projects: {kept: record('sandbox')}, pending: null, trash: []};
		const listing = buildListing({paths, state, folders: folders({sandbox: [entry('constructor'), entry('kept')], archive: [entry('constructor')]}), bornOf: () => Date.parse(AT), now: 1});
		expect(listing.cards[0]).toMatchObject({key: 'sandbox/constructor', recorded: false, created: AT, historyCount: 0, duplicate: true});
		expect(listing.cards[0]).not.toHaveProperty('lastMove');
		expect(listing.archived).toEqual([{name: 'constructor', dir: '/ws/.cws/archive/constructor'}]);
		expect(listing.missing).toEqual([]);
	});
});
