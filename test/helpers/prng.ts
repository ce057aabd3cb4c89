/** Mulberry32: a small seeded generator, so that a failing fuzz case can be replayed from its seed. */
export function prng(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6D_2B_79_F5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
	};
}

/** A seeded whole number below `limit` each call (prng underneath), for picking from lists. */
export function prngBelow(seed: number): (limit: number) => number {
	const random = prng(seed);
	return limit => Math.floor(random() * limit);
}
