import {describe, expect, it} from 'vitest';
import type {StageColumn} from '../../source/commands/stage-listing.js';
import {boardSnapshot, initialBoardState, reduceBoard} from '../../source/ui/panes/board/state.js';

const columns = (sandbox: string[], active: string[] = []): StageColumn[] => [
	{stage: 'sandbox', projects: sandbox},
	{stage: 'active', projects: active},
	{stage: 'stable', projects: []},
	{stage: 'public', projects: []},
];

describe('board reducer', () => {
	it('moves within a column and between columns, staying in range and keeping each column place', () => {
		let state = reduceBoard(initialBoardState(), {type: 'loaded', columns: columns(['a', 'b', 'c'], ['x', 'y'])});
		state = reduceBoard(state, {type: 'move-row', delta: 5});
		expect(boardSnapshot(state).selection).toMatchObject({id: 'c', data: {stage: 'sandbox'}});
		state = reduceBoard(state, {type: 'move-column', delta: 1});
		state = reduceBoard(state, {type: 'move-row', delta: 1});
		expect(boardSnapshot(state).selection).toMatchObject({id: 'y', data: {stage: 'active'}});
		state = reduceBoard(state, {type: 'move-column', delta: -9});
		expect(boardSnapshot(state).selection?.id).toBe('c');
		expect(boardSnapshot(state).count).toBe(5);
	});

	it('keeps the selection in range when projects disappear, and ignores an unchanged listing', () => {
		let state = reduceBoard(initialBoardState(), {type: 'loaded', columns: columns(['a', 'b', 'c'])});
		state = reduceBoard(state, {type: 'move-row', delta: 2});
		const same = reduceBoard(state, {type: 'loaded', columns: columns(['a', 'b', 'c'])});
		expect(same).toBe(state);
		state = reduceBoard(state, {type: 'loaded', columns: columns(['a'])});
		expect(boardSnapshot(state).selection?.id).toBe('a');
		state = reduceBoard(state, {type: 'loaded', columns: columns([])});
		expect(boardSnapshot(state).selection).toBeUndefined();
	});

	it('returns the same state for moves that change nothing', () => {
		const state = reduceBoard(initialBoardState(), {type: 'loaded', columns: columns(['a'])});
		expect(reduceBoard(state, {type: 'move-row', delta: -1})).toBe(state);
		expect(reduceBoard(state, {type: 'move-column', delta: -1})).toBe(state);
	});
});
