import {describe, expect, it} from 'vitest';
import {formatAge} from '../../source/core/queue/index.js';
import {untilAgeChanges, untilCountdownChanges, untilRowsChange} from '../../source/ui/panes/queue/clock.js';
import {jobRow} from '../../source/ui/panes/queue/rows.js';
import {initialQueueState, paneNow, reduceQueue} from '../../source/ui/panes/queue/state.js';
import {job, NOW, snapshotOf} from './queue-fixtures.js';

/** Ages and countdowns to check: every unit's boundaries and points between them. */
const samples = [0, 1, 499, 500, 501, 999, 1000, 1499, 30_000, 59_400, 59_499, 59_500, 59_600, 60_000, 61_000, 119_499, 119_500, 3_599_499, 3_599_500, 3_600_000, 7_199_499, 86_399_499, 86_399_500, 90_000_000, 3 * 86_400_000];

describe('queue pane clock', () => {
	it('says exactly when an age text changes: the same text until then, another one at that instant', () => {
		for (const elapsed of samples) {
			const wait = untilAgeChanges(elapsed);
			expect(wait, `age ${elapsed}`).toBeGreaterThan(0);
			expect(formatAge(elapsed + wait - 1), `age ${elapsed} just before`).toBe(formatAge(elapsed));
			expect(formatAge(elapsed + wait), `age ${elapsed} at the change`).not.toBe(formatAge(elapsed));
		}
	});

	it('says exactly when a countdown text changes, and never once it reads 0s', () => {
		for (const remaining of samples.filter(ms => ms > 500)) {
			const wait = untilCountdownChanges(remaining);
			expect(formatAge(remaining - wait + 1), `countdown ${remaining} just before`).toBe(formatAge(remaining));
			expect(formatAge(remaining - wait), `countdown ${remaining} at the change`).not.toBe(formatAge(remaining));
		}

		expect(untilCountdownChanges(0)).toBe(Number.POSITIVE_INFINITY);
	});

	it('finds the first row whose text the clock changes, and none in a list of no jobs', () => {
		const jobs = [job({state: 'done', finishedAt: NOW - 5 * 60_000}), job({state: 'failed', dueAt: NOW + 12_200}), job({state: 'pending', dueAt: NOW + 120_000})];
		const wait = untilRowsChange(jobs, NOW);
		const text = (now: number) => jobs.map(item => jobRow(item, now).status).join('|');
		expect(text(NOW + wait - 1)).toBe(text(NOW));
		expect(text(NOW + wait)).not.toBe(text(NOW));
		expect(untilRowsChange([], NOW)).toBe(Number.POSITIVE_INFINITY);
	});

	it('keeps the state (so nothing is redrawn) for a tick that changes no text, and moves on when one does', () => {
		const done = job({state: 'done', finishedAt: NOW - 5 * 60_000});
		const start = reduceQueue(reduceQueue(initialQueueState(), {type: 'snapshot', snapshot: snapshotOf([done])}), {type: 'tick', now: NOW});
		expect(paneNow(start)).toBe(NOW);
		// "done 5m ago" reads the same for the next minute.
		expect(reduceQueue(start, {type: 'tick', now: NOW + 1000})).toBe(start);
		expect(reduceQueue(start, {type: 'tick', now: NOW + 59_000})).toBe(start);
		const later = reduceQueue(start, {type: 'tick', now: NOW + 60_000});
		expect(later.now).toBe(NOW + 60_000);
		expect(jobRow(done, later.now).status).toBe('done 6m ago');
	});

	it('lets every tick through while a job runs (its spinner turns)', () => {
		const running = job({state: 'running', startedAt: NOW - 10 * 60_000});
		const start = reduceQueue(reduceQueue(initialQueueState(), {type: 'snapshot', snapshot: snapshotOf([running])}), {type: 'tick', now: NOW});
		const next = reduceQueue(start, {type: 'tick', now: NOW + 250});
		expect(next).not.toBe(start);
		expect(jobRow(running, next.now).icon).not.toBe(jobRow(running, start.now).icon);
	});
});
