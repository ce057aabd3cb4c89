import type {RetryPolicy} from './config.js';

/**
 * Delay before the next try after `attempt` failed tries: base·2^(attempt−1)
 * capped at `capMs`, then scaled into [1−jitter, 1] by `random` so that jobs
 * that failed together (a remote went down) do not all come back together.
 */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
	const exponent = Math.max(0, attempt - 1);
	const raw = Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(exponent, 40));
	const factor = 1 - (policy.jitter * random());
	return Math.max(0, Math.round(raw * factor));
}
