import {Text} from 'ink';
import type {PaneDefinition, PaneViewProps} from '../types.js';

/** Until the process table is connected the pane has no state of its own. */
export type ProcessesState = Record<string, never>;

function ProcessesView({theme}: PaneViewProps<ProcessesState>) {
	return (
		<Text color={theme.muted} wrap="truncate">
			No workspace processes.
		</Text>
	);
}

export const processesPane: PaneDefinition<ProcessesState> = {
	id: 'processes',
	title: 'Processes',
	initialState: () => ({}),
	reduce: state => state,
	snapshot: () => ({count: 0}),
	View: ProcessesView,
};
