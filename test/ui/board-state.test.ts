import {describe, expect, it} from 'vitest';
import type {BoardAction} from '../../source/commands/board.js';
import {boardSnapshot, initialBoardState, reduceBoard, type BoardState} from '../../source/ui/panes/board/state.js';
import {listing, snapshot} from './board-fixtures.js';

const run = (state: BoardState, ...actions: BoardAction[]): BoardState => actions.reduce(reduceBoard, state);
const selected = (state: BoardState) => boardSnapshot(state).selection;

describe('board reducer', () => {
	it('moves within a column and between columns, staying in range and keeping each column place', () => {
		let state = run(initialBoardState(), snapshot(listing(['sandbox/a', 'sandbox/b', 'sandbox/c', 'active/x', 'active/y'])));
		state = run(state, {type: 'move-row', delta: 5});
		expect(selected(state)).toMatchObject({id: 'c', data: {stage: 'sandbox'}});
		state = run(state, {type: 'move-column', delta: 1}, {type: 'move-row', delta: 1});
		expect(selected(state)).toMatchObject({id: 'y', data: {stage: 'active'}});
		state = run(state, {type: 'move-column', delta: -9});
		expect(selected(state)?.id).toBe('c');
		expect(boardSnapshot(state).count).toBe(5);
		state = run(state, {type: 'edge', edge: 'top'});
		expect(selected(state)?.id).toBe('a');
		state = run(state, {type: 'edge', edge: 'bottom'});
		expect(selected(state)?.id).toBe('c');
	});

	it('keeps the selection on the same project when others appear or vanish around it', () => {
		let state = run(initialBoardState(), snapshot(listing(['sandbox/b', 'sandbox/d', 'sandbox/f'])), {type: 'move-row', delta: 1});
		expect(selected(state)?.id).toBe('d');
		state = run(state, snapshot(listing(['sandbox/a', 'sandbox/b', 'sandbox/c', 'sandbox/d', 'sandbox/f'])));
		expect(selected(state)?.id).toBe('d');
		state = run(state, snapshot(listing(['sandbox/d', 'sandbox/f'])));
		expect(selected(state)?.id).toBe('d');
		// Gone for good: the row at the same place is selected.
		state = run(state, snapshot(listing(['sandbox/b', 'sandbox/f'])));
		expect(selected(state)?.id).toBe('b');
		state = run(state, snapshot(listing([])));
		expect(selected(state)).toBeUndefined();
	});

	it('follows the selected project to the column it moved to, and back', () => {
		let state = run(initialBoardState(), snapshot(listing(['sandbox/a', 'sandbox/b', 'active/x'])), {type: 'move-row', delta: 1});
		state = run(state, snapshot(listing(['sandbox/a', 'active/b', 'active/x'])));
		expect(selected(state)).toMatchObject({id: 'b', data: {stage: 'active', key: 'active/b'}});
		expect(state.column).toBe(1);
		state = run(state, snapshot(listing(['sandbox/a', 'active/x', 'public/b'])));
		expect(selected(state)).toMatchObject({id: 'b', data: {stage: 'public'}});
		// The column left behind keeps a sensible place.
		state = run(state, {type: 'move-column', delta: -3});
		expect(selected(state)?.id).toBe('a');
	});

	it('selects a project by name on request (after a command moved or created it)', () => {
		let state = run(initialBoardState(), snapshot(listing(['sandbox/a', 'stable/z', 'stable/zz'])));
		state = run(state, {type: 'select', name: 'zz', stage: 'stable'});
		expect(selected(state)).toMatchObject({id: 'zz', data: {stage: 'stable'}});
		expect(run(state, {type: 'select', name: 'nothing'})).toBe(state);
	});

	it('filters by name, counts shown/total, keeps the selection when it still matches', () => {
		let state = run(initialBoardState(), snapshot(listing(['sandbox/api', 'sandbox/web', 'sandbox/api-v2', 'active/apix'])));
		state = run(state, {type: 'move-row', delta: 1});
		expect(selected(state)?.id).toBe('api-v2');
		state = run(state, {type: 'filter', text: ' API '});
		expect(state.filter).toBe('api');
		expect(state.columns.map(column => column.cards.map(item => item.name))).toEqual([['api', 'api-v2'], ['apix'], [], []]);
		expect(state.columns[0]!.total).toBe(3);
		expect(selected(state)?.id).toBe('api-v2');
		state = run(state, {type: 'filter', text: 'web'});
		expect(selected(state)?.id).toBe('web');
		// A refresh keeps the filter.
		state = run(state, snapshot(listing(['sandbox/api', 'sandbox/web', 'sandbox/webby'])));
		expect(state.columns[0]!.cards.map(item => item.name)).toEqual(['web', 'webby']);
		state = run(state, {type: 'filter', text: ''});
		expect(state.columns[0]!.cards).toHaveLength(3);
		expect(selected(state)?.id).toBe('web');
	});

	it('lists a project whose folder is missing in the stage it was recorded in, marked missing', () => {
		const record = {model: 'open-source' as const, description: '', created: '2026-01-01T00:00:00.000Z', history: [], notes: []};
		let state = run(initialBoardState(), snapshot(listing(['active/a'], [{name: 'gone', recorded: 'active', record}, {name: 'old', recorded: 'archive', record}])));
		state = run(state, {type: 'move-column', delta: 1}, {type: 'move-row', delta: 1});
		expect(selected(state)).toMatchObject({id: 'gone', data: {stage: 'active', missing: true}});
		expect(state.columns[1]!.total).toBe(2);
		// Missing in the archive: not on a stage column (the problems line names it).
		expect(state.columns.flatMap(column => column.missing.map(item => item.name))).toEqual(['gone']);
	});

	it('returns the same state for what changes nothing: moves past the ends, the same listing, an old clock', () => {
		const first = snapshot(listing(['sandbox/a']));
		const state = run(initialBoardState(), first);
		expect(run(state, {type: 'move-row', delta: -1})).toBe(state);
		expect(run(state, {type: 'move-column', delta: -1})).toBe(state);
		expect(run(state, {type: 'filter', text: ''})).toBe(state);
		expect(run(state, {type: 'clock', now: 5})).toBe(state);
		const again = first as Extract<BoardAction, {type: 'snapshot'}>;
		expect(run(state, {type: 'snapshot', snapshot: {...again.snapshot, version: 99}})).toBe(state);
		// The feed's empty start value is not a listing.
		expect(run(initialBoardState(), {type: 'snapshot', snapshot: {version: 0, listing: listing(['sandbox/a']), refreshedAt: 0}}).listing).toBeUndefined();
	});

	it('keeps the last listing when a refresh fails, with the error', () => {
		let state = run(initialBoardState(), snapshot(listing(['sandbox/a'])));
		const {listing: before} = state;
		const failing = (snapshot(before!, 'cannot read state.json') as Extract<BoardAction, {type: 'snapshot'}>).snapshot;
		state = run(state, {type: 'snapshot', snapshot: failing});
		expect(state.error).toBe('cannot read state.json');
		expect(state.listing).toBe(before);
	});

	it('moves a page at a time by the page size the view reports', () => {
		const names = Array.from({length: 30}, (_, index) => `sandbox/p${String(index).padStart(2, '0')}`);
		let state = run(initialBoardState(), snapshot(listing(names)), {type: 'viewport', page: 7});
		state = run(state, {type: 'page', delta: 1});
		expect(selected(state)?.id).toBe('p07');
		state = run(state, {type: 'page', delta: 10});
		expect(selected(state)?.id).toBe('p29');
	});
});
