import {Text} from 'ink';
import type {PaneDefinition, PaneViewProps} from '../types.js';

/** Until the queue is connected the pane has no state of its own. */
export type QueueState = Record<string, never>;

function QueueView({theme}: PaneViewProps<QueueState>) {
	return (
		<Text color={theme.muted} wrap="truncate">
			No sync jobs.
		</Text>
	);
}

export const queuePane: PaneDefinition<QueueState> = {
	id: 'queue',
	title: 'Sync queue',
	initialState: () => ({}),
	reduce: state => state,
	snapshot: () => ({count: 0}),
	View: QueueView,
};
