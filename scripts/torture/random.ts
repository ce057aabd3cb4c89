/** A small seeded generator (mulberry32): the same seed gives the same choices. */
export class Rng {
	private state: number;

	constructor(seed: number) {
		this.state = (seed ^ 0x9E3779B9) >>> 0;
	}

	/** A float in [0, 1). */
	next(): number {
		this.state = (this.state + 0x6D2B79F5) >>> 0;
		let t = this.state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
	}

	/** An integer in [min, max]. */
	int(min: number, max: number): number {
		return min + Math.floor(this.next() * (max - min + 1));
	}

	pick<T>(items: readonly T[]): T {
		if (items.length === 0) {
			throw new Error('pick from an empty list');
		}

		return items[Math.floor(this.next() * items.length)]!;
	}

	/** One key of `weights`, chosen in proportion to its weight. */
	weighted<K extends string>(weights: Record<K, number>): K {
		const entries = Object.entries(weights) as Array<[K, number]>;
		const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
		let roll = this.next() * total;
		for (const [key, weight] of entries) {
			roll -= weight;
			if (roll < 0) {
				return key;
			}
		}

		return entries.at(-1)![0];
	}

	/** A child generator for one actor, so actors do not shift each other's choices. */
	fork(label: number): Rng {
		return new Rng(Math.floor(this.next() * 4_294_967_296) ^ Math.imul(label + 1, 0x85EBCA6B));
	}
}
