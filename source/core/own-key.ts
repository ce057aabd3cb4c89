/**
 * The value a plain object holds under `key` itself, or undefined. Maps
 * keyed by a project, target or runner name are plain objects (they come
 * from JSON), and a name such as "constructor" is valid: a bare `map[key]`
 * would find Object.prototype's member instead of nothing.
 */
export function ownValue<V>(map: Readonly<Record<string, V>>, key: string): V | undefined {
	return Object.hasOwn(map, key) ? map[key] : undefined;
}
