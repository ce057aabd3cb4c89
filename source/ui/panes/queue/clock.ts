import type {Job} from '../../../core/queue/index.js';
import {SPINNER_MS} from './rows.js';

/**
 * The unit formatAge shows for `seconds` (its rounded input): seconds under
 * a minute, then minutes, hours, days. Kept beside formatAge's thresholds
 * (core/queue/stats.ts); test/ui/queue-clock.test.ts checks they agree.
 */
function unitOf(seconds: number): number {
	if (seconds < 60) return 1;
	if (seconds < 3600) return 60;
	if (seconds < 86_400) return 3600;
	return 86_400;
}

/** ms until formatAge(elapsed) shows another text as `elapsedMs` grows. */
export function untilAgeChanges(elapsedMs: number): number {
	const seconds = Math.round(Math.max(0, elapsedMs) / 1000);
	const unit = unitOf(seconds);
	// formatAge rounds to whole seconds, so the next text starts half a second early.
	const next = (Math.floor(seconds / unit) + 1) * unit;
	return (next - 0.5) * 1000 - Math.max(0, elapsedMs);
}

/** ms until formatAge(remaining) shows another text as `remainingMs` shrinks; Infinity once it reads 0s. */
export function untilCountdownChanges(remainingMs: number): number {
	if (remainingMs <= 0) return Number.POSITIVE_INFINITY;
	const seconds = Math.round(remainingMs / 1000);
	const unit = unitOf(seconds);
	const floor = Math.floor(seconds / unit) * unit;
	// The text changes once the rounded seconds drop below `floor`.
	return Math.max(1, remainingMs - (floor - 0.5) * 1000 + 1);
}

/**
 * ms from `now` until some job's row text changes by the clock alone (an
 * age, a countdown, "due in" turning into "queued"): the pane redraws then
 * and not before, since redrawing a screen that looks the same costs CPU
 * for nothing. Infinity when no row depends on the time.
 */
export function untilRowsChange(jobs: readonly Job[], now: number): number {
	let soonest = Number.POSITIVE_INFINITY;
	for (const job of jobs) {
		let wait: number;
		switch (job.state) {
			case 'running':
				// The spinner turns every SPINNER_MS whatever the elapsed time says.
				wait = Math.min(untilAgeChanges(now - (job.startedAt ?? now)), SPINNER_MS - (now % SPINNER_MS));
				break;
			case 'pending':
				wait = job.dueAt > now ? Math.min(job.dueAt - now, untilCountdownChanges(job.dueAt - now)) : untilAgeChanges(now - job.createdAt);
				break;
			case 'failed':
				wait = untilCountdownChanges(job.dueAt - now);
				break;
			default:
				wait = untilAgeChanges(now - (job.finishedAt ?? now));
		}

		if (wait < soonest) soonest = wait;
	}

	return soonest;
}
