import {Text} from 'ink';
import {appCommands} from '../../source/commands/app.js';
import {overlayCommands} from '../../source/commands/overlays.js';
import type {Command, PaneId} from '../../source/commands/types.js';
import type {PaneDefinition, PaneViewProps} from '../../source/ui/panes/types.js';

/**
 * Stand-in panes for the shell's own tests: a list with a selection, so the
 * shell (focus, keys, dialogs, layout) is tested apart from what the real
 * panes show.
 */
export type ListState = {items: string[]; selected: number};
export type ListAction = {type: 'move'; delta: number} | {type: 'set'; items: string[]};

function ListView({state, focused, theme}: PaneViewProps<ListState>) {
	if (state.items.length === 0) return <Text color={theme.muted}>Nothing here.</Text>;
	return (
		<>
			{state.items.map((item, index) => (
				<Text key={item} inverse={focused && index === state.selected} wrap="truncate">
					{index === state.selected ? `${theme.marker} ` : '  '}
					{item}
				</Text>
			))}
		</>
	);
}

function listPane(id: PaneId, title: string, items: string[]): PaneDefinition<ListState, ListAction> {
	return {
		id,
		title,
		initialState: () => ({items, selected: 0}),
		reduce(state, action) {
			if (action.type === 'set') return {items: action.items, selected: 0};
			const selected = Math.max(0, Math.min(state.items.length - 1, state.selected + action.delta));
			return selected === state.selected ? state : {...state, selected};
		},
		snapshot: state => ({count: state.items.length, ...(state.items[state.selected] ? {selection: {kind: 'item', id: state.items[state.selected]!}} : {})}),
		summary: state => `${state.items.length} items`,
		View: ListView,
	};
}

export function fakePanes(board: string[] = [], queue: string[] = [], processes: string[] = []) {
	return [listPane('board', 'Stage board', board), listPane('queue', 'Sync queue', queue), listPane('processes', 'Processes', processes)];
}

const move = (id: string, title: string, keys: string[], delta: number, hint?: string): Command => ({
	id,
	title,
	group: 'Test board',
	scope: 'board',
	keys,
	...(hint ? {hint} : {}),
	run: () => ({type: 'pane', pane: 'board', action: {type: 'move', delta}}),
});

/** The shell's own commands plus two for the stand-in board. */
export const FAKE_COMMANDS: Command[] = [
	...appCommands,
	move('board.down', 'Select the next item', ['j', 'down'], 1, 'move'),
	move('board.up', 'Select the previous item', ['k', 'up'], -1),
	...overlayCommands,
];
