import type {BoardSnapshot} from '../core/board/index.js';
import type {Stage} from '../core/paths.js';
import type {QueueSnapshot} from '../core/queue/index.js';
import {boardFeedFor} from '../ui/shared/board-feed.js';
import {archiveSelected, askName, filterPrompt, moveSelected, noteSelected, removeSelected, showDetails, showProblems} from './board-actions.js';
import type {Command, CommandContext} from './types.js';

/** Told which cards are on screen, and how many fit in a column (the page size). */
export type VisibleSink = (keys: readonly string[], page: number) => void;

/** Actions the board pane's reducer understands. */
export type BoardAction =
	| {type: 'snapshot'; snapshot: BoardSnapshot}
	| {type: 'queue'; queue: QueueSnapshot}
	| {type: 'processes'; counts: ReadonlyMap<string, number>}
	| {type: 'clock'; now: number}
	| {type: 'attach'; onVisible: VisibleSink | undefined}
	| {type: 'viewport'; page: number}
	| {type: 'move-row'; delta: number}
	| {type: 'page'; delta: number}
	| {type: 'edge'; edge: 'top' | 'bottom'}
	| {type: 'move-column'; delta: number}
	| {type: 'filter'; text: string}
	/** Select project `name` (in `stage` when given) and focus its column. */
	| {type: 'select'; name: string; stage?: Stage};

/** The selected project as commands see it. */
export type SelectedProject = {name: string; stage: Stage; missing: boolean};

/** The board's selection from a command's context, if any. */
export function selectedProject(ctx: CommandContext): SelectedProject | undefined {
	const selection = ctx.panes.board?.selection;
	if (selection?.kind !== 'project') return undefined;
	return {name: selection.id, stage: selection.data?.['stage'] as Stage, missing: selection.data?.['missing'] === true};
}

const noProject = (ctx: CommandContext): string | undefined => (selectedProject(ctx) ? undefined : 'no project is selected');

/** Reasons a move cannot start, before anything runs. */
function moveBlocked(ctx: CommandContext, direction: 1 | -1): string | undefined {
	const project = selectedProject(ctx);
	if (!project) return 'no project is selected';
	if (project.missing) return `the folder of ${project.name} is missing`;
	if (direction === 1 && project.stage === 'public') return `${project.name} is already in Public, the last stage`;
	if (direction === -1 && project.stage === 'sandbox') return `${project.name} is already in Sandbox, the first stage`;
	return undefined;
}

const cursor = (id: string, title: string, keys: string[], action: BoardAction, hint?: string): Command => ({
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
	cursor('board.down', 'Select the next project', ['j', 'down'], {type: 'move-row', delta: 1}, 'move'),
	cursor('board.up', 'Select the previous project', ['k', 'up'], {type: 'move-row', delta: -1}),
	cursor('board.right', 'Select the next stage', ['l', 'right'], {type: 'move-column', delta: 1}),
	cursor('board.left', 'Select the previous stage', ['h', 'left'], {type: 'move-column', delta: -1}),
	cursor('board.top', 'Select the first project of the stage', ['g', 'home'], {type: 'edge', edge: 'top'}),
	cursor('board.bottom', 'Select the last project of the stage', ['G', 'end'], {type: 'edge', edge: 'bottom'}),
	cursor('board.page-down', 'Next page of the stage', ['pagedown'], {type: 'page', delta: 1}),
	cursor('board.page-up', 'Previous page of the stage', ['pageup'], {type: 'page', delta: -1}),
	{
		id: 'board.promote',
		title: 'Promote the selected project to the next stage (gates are checked)',
		group: 'Stage board',
		scope: 'board',
		keys: ['>'],
		names: ['promote'],
		hint: 'promote',
		disabledReason: ctx => moveBlocked(ctx, 1),
		run: ctx => moveSelected(ctx.services, selectedProject(ctx)!.name, 1),
	},
	{
		id: 'board.demote',
		title: 'Demote the selected project to the previous stage',
		group: 'Stage board',
		scope: 'board',
		keys: ['<'],
		names: ['demote'],
		hint: 'demote',
		disabledReason: ctx => moveBlocked(ctx, -1),
		run: ctx => moveSelected(ctx.services, selectedProject(ctx)!.name, -1),
	},
	{
		id: 'board.details',
		title: 'Details of the selected project: path, history, gates with results, notes',
		group: 'Stage board',
		scope: 'board',
		keys: ['enter'],
		names: ['details'],
		hint: 'details',
		disabledReason: noProject,
		run: ctx => showDetails(ctx.services, selectedProject(ctx)!),
	},
	{
		id: 'board.filter',
		title: 'Filter the board by project name (empty shows all)',
		group: 'Stage board',
		scope: 'board',
		keys: ['/'],
		names: ['filter'],
		hint: 'filter',
		run: () => filterPrompt(),
	},
	{
		id: 'board.new',
		title: 'New project in Sandbox (asks for its name and business model)',
		group: 'Stage board',
		scope: 'board',
		keys: ['n'],
		names: ['new'],
		hint: 'new',
		run: ctx => askName(ctx.services),
	},
	{
		id: 'board.note',
		title: 'Add a note to the selected project',
		group: 'Stage board',
		scope: 'board',
		keys: ['N'],
		names: ['note'],
		disabledReason: noProject,
		run: ctx => noteSelected(ctx.services, selectedProject(ctx)!.name),
	},
	{
		id: 'board.archive',
		title: 'Archive the selected project (asks first; `cws restore` brings it back)',
		group: 'Stage board',
		scope: 'board',
		keys: ['a'],
		names: ['archive'],
		disabledReason: ctx => {
			const project = selectedProject(ctx);
			return !project ? 'no project is selected' : project.missing ? `the folder of ${project.name} is missing` : undefined;
		},
		run: ctx => archiveSelected(ctx.services, selectedProject(ctx)!.name),
	},
	{
		id: 'board.remove',
		title: 'Move the selected project to the trash (asks first; nothing is deleted)',
		group: 'Stage board',
		scope: 'board',
		keys: ['x', 'delete'],
		names: ['rm'],
		disabledReason: noProject,
		run: ctx => removeSelected(ctx.services, selectedProject(ctx)!),
	},
	{
		id: 'board.problems',
		title: 'List what is wrong in the workspace (odd folders, missing projects, interrupted moves)',
		group: 'Stage board',
		scope: 'board',
		keys: ['!'],
		names: ['problems'],
		run: ctx => showProblems(ctx.services),
	},
	{
		id: 'board.refresh',
		title: 'Re-read the stage folders now',
		group: 'Stage board',
		scope: 'board',
		keys: ['r'],
		names: ['refresh'],
		run: async ctx => {
			await boardFeedFor(ctx.services).refresh();
		},
	},
];
