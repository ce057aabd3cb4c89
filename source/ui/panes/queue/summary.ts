import {needingAttention} from './rows.js';
import type {QueueState} from './state.js';

/** The pane's border: the filter when one hides jobs, then what needs the person, then work in progress. */
export function queueSummary(state: QueueState): string | undefined {
	const stats = state.snapshot?.stats;
	if (!stats) return undefined;
	const attention = needingAttention(state.snapshot!.jobs);
	const parts: string[] = state.filter === 'all' ? [] : [state.filter];
	if (attention > 0) parts.push(`${attention} need${attention === 1 ? 's' : ''} you`);
	if (stats.running > 0) parts.push(`${stats.running} running`);
	if (stats.depth - stats.running > 0) parts.push(`${stats.depth - stats.running} waiting`);
	if (parts.length === (state.filter === 'all' ? 0 : 1)) parts.push(`${state.snapshot!.jobs.length} job${state.snapshot!.jobs.length === 1 ? '' : 's'}`);
	return parts.join(' · ');
}
