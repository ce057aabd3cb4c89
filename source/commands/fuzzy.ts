/**
 * Matching for the palette and the help filter. Each word of the query must
 * match on its own (so word order does not matter: `command log` finds
 * "Show the log of external commands"); a word matches when its characters
 * appear in order. Higher scores for matches at the start, at word starts
 * and in runs, so `cex` ranks `cexit` above `Close explorer`. Returns
 * undefined when the query does not match.
 */
export function fuzzyScore(query: string, text: string): number | undefined {
	const words = query.toLowerCase().split(/\s+/).filter(word => word !== '');
	let total = 0;
	for (const word of words) {
		const score = wordScore(word, text);
		if (score === undefined) return undefined;
		total += score;
	}

	return total;
}

function wordScore(q: string, text: string): number | undefined {
	const t = text.toLowerCase();
	let score = 0;
	let from = 0;
	let previous = -2;
	for (const ch of q) {
		const index = t.indexOf(ch, from);
		if (index < 0) return undefined;
		if (index === 0) score += 8;
		else if (/[\s.:_/-]/.test(t[index - 1]!)) score += 5;
		if (index === previous + 1) score += 4;
		score -= Math.min(index - from, 5) * 0.5;
		previous = index;
		from = index + 1;
	}

	if (t.startsWith(q)) score += 10;
	if (t === q) score += 20;
	return score;
}

/** The best score of `query` against any of `texts`. */
export function bestScore(query: string, texts: readonly string[]): number | undefined {
	let best: number | undefined;
	for (const text of texts) {
		const score = fuzzyScore(query, text);
		if (score !== undefined && (best === undefined || score > best)) best = score;
	}

	return best;
}
