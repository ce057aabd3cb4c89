import type {QueueAction} from '../../../commands/queue.js';
import type {PaneDefinition} from '../types.js';
import {queueSummary} from './summary.js';
import {initialQueueState, queueSnapshot, reduceQueue, type QueueState} from './state.js';
import {startQueuePane} from './start.js';
import {QueueView} from './view.js';

export type {QueueState} from './state.js';

/** The sync queue pane: the jobs of the workspace's queue, run by this interface's worker. */
export const queuePane: PaneDefinition<QueueState, QueueAction> = {
	id: 'queue',
	title: 'Sync queue',
	initialState: initialQueueState,
	reduce: reduceQueue,
	snapshot: queueSnapshot,
	summary: queueSummary,
	View: QueueView,
	start: startQueuePane,
};
