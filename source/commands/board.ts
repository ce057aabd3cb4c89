import {readStageColumns, type StageColumn} from './stage-listing.js';
import type {Command} from './types.js';

/** Actions the board pane's reducer understands. */
export type BoardAction =
	| {type: 'move-column'; delta: number}
	| {type: 'move-row'; delta: number}
	| {type: 'loaded'; columns: StageColumn[]};

const move = (id: string, title: string, keys: string[], action: BoardAction, hint?: string): Command => ({
	id,
	title,
	group: 'Stage board',
	scope: 'board',
	keys,
	...(hint ? {hint} : {}),
	run: () => ({type: 'pane', pane: 'board', action}),
});

/** Commands of the stage board. */
export const boardCommands: Command[] = [
	move('board.down', 'Select the next project', ['j', 'down'], {type: 'move-row', delta: 1}, 'move'),
	move('board.up', 'Select the previous project', ['k', 'up'], {type: 'move-row', delta: -1}),
	move('board.right', 'Select the next stage', ['l', 'right'], {type: 'move-column', delta: 1}, 'stage'),
	move('board.left', 'Select the previous stage', ['h', 'left'], {type: 'move-column', delta: -1}),
	{
		id: 'board.refresh',
		title: 'Re-read the stage folders',
		group: 'Stage board',
		scope: 'board',
		keys: ['r'],
		names: ['refresh'],
		hint: 'refresh',
		run: async ctx => ({
			type: 'pane',
			pane: 'board',
			action: {type: 'loaded', columns: await readStageColumns(ctx.services.paths)},
		}),
	},
];
