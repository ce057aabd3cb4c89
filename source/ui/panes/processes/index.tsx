import {processFeedFor} from '../../shared/process-feed.js';
import type {PaneDefinition} from '../types.js';
import {exitParticipant} from './exit-policy.js';
import {initialProcessesState, processesSnapshot, processesSummary, reduceProcesses, type ProcessesAction, type ProcessesState} from './state.js';
import {ProcessesView} from './view.js';

export type {ProcessesAction, ProcessesState} from './state.js';

/**
 * The process pane: what runs in the workspace (or all of this user's
 * processes), which project each works in, what protects it; stopping,
 * protecting and cleaning up are its commands (source/commands/processes.ts).
 * Starting it also enrols workspace processes in cexit.
 */
export const processesPane: PaneDefinition<ProcessesState, ProcessesAction> = {
	id: 'processes',
	title: 'Processes',
	initialState: initialProcessesState,
	reduce: reduceProcesses,
	snapshot: processesSnapshot,
	summary: processesSummary,
	View: ProcessesView,
	start(services, dispatch) {
		const feed = processFeedFor(services);
		const push = () => dispatch({type: 'listing', snapshot: feed.getSnapshot()});
		const unsubscribe = feed.subscribe(push);
		push();
		const leave = services.shutdown.add(exitParticipant(feed.control, services));
		return () => {
			unsubscribe();
			leave();
		};
	},
	// The listing is re-read every 2 s while it is in front, less often for the board's counts.
	foreground(services, foreground) {
		processFeedFor(services).setForeground(foreground);
	},
};
