// Summaries of repeated samples, for the benchmark table.

/** Median, min and max of a set of samples (n = how many). */
export type Summary = {median: number; min: number; max: number; n: number; samples: number[]};

/** Summarises samples; an empty list gives NaN figures so the table shows a gap, not a zero. */
export function summarise(samples: number[]): Summary {
	const sorted = [...samples].sort((a, b) => a - b);
	if (sorted.length === 0) return {median: Number.NaN, min: Number.NaN, max: Number.NaN, n: 0, samples: []};
	const middle = Math.floor(sorted.length / 2);
	const median = sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
	return {median, min: sorted[0]!, max: sorted.at(-1)!, n: sorted.length, samples};
}

/** The sample at percentile `p` (0-100) of a list, nearest-rank. */
export function percentile(samples: number[], p: number): number {
	const sorted = [...samples].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}
