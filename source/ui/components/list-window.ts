/** First index of a window of `size` rows that keeps `selected` visible, centred where possible. */
export function windowStart(selected: number, size: number, length: number): number {
	if (length <= size) return 0;
	return Math.max(0, Math.min(selected - Math.floor(size / 2), length - size));
}
