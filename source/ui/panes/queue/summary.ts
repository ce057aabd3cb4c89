import {needingAttention} from './rows.js';
import type {QueueState} from './state.js';

/** The pane's border: what needs the person first, then work in progress, then the filter. */
export function queueSummary(state: QueueState): string | undefined {
	const stats = state.snapshot?.stats;
	if (!stats) return undefined;
	const attention = needingAttention(state.snapshot!.jobs);
	const parts: string[] = [];
	if (attention > 0) parts.push(`${attention} need${attention === 1 ? 's' : ''} you`);
	if (stats.running > 0) parts.push(`${stats.running} running`);
	if (stats.depth - stats.running > 0) parts.push(`${stats.depth - stats.running} waiting`);
	if (parts.length === 0) parts.push(`${state.snapshot!.jobs.length} job${state.snapshot!.jobs.length === 1 ? '' : 's'}`);
	if (state.filter !== 'all') parts.push(`[${state.filter}]`);
	return parts.join(' · ');
}
