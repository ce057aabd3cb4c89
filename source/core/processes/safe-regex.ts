import v8 from 'node:v8';

/** Longest command-line regex a rule may hold. */
export const MAX_PATTERN_LENGTH = 256;
/** Command lines are cut to this many characters before a rule's regex sees them. */
export const MAX_MATCHED_COMMAND = 4096;

/** Why a pattern is refused, or undefined when it is acceptable. */
export function regexProblem(pattern: string): string | undefined {
	if (pattern.trim() === '') {
		return 'the regular expression is empty';
	}

	if (pattern.length > MAX_PATTERN_LENGTH) {
		return `the regular expression is ${pattern.length} characters long; at most ${MAX_PATTERN_LENGTH} are allowed`;
	}

	try {
		new RegExp(pattern);
	} catch (error) {
		return `it is not a valid regular expression (${(error as Error).message})`;
	}

	return structureProblem(pattern);
}

/**
 * Refuses the constructs that make a backtracking matcher take exponential
 * time or that no linear-time matcher supports: a repeated group that itself
 * contains a repetition ((a+)+, (\w*x)*), back-references and lookaround.
 * Walks the pattern once, tracking for each open group whether anything
 * inside it repeats.
 */
function structureProblem(pattern: string): string | undefined {
	const groups: boolean[] = [false];
	let index = 0;
	while (index < pattern.length) {
		const char = pattern[index]!;
		if (char === '\\') {
			const next = pattern[index + 1] ?? '';
			if (/[1-9]/.test(next) || next === 'k') {
				return 'back-references (\\1, \\k<name>) are not allowed';
			}

			index += 2;
			index = afterQuantifier(pattern, index, groups);
			continue;
		}

		if (char === '[') {
			index = afterClass(pattern, index);
			index = afterQuantifier(pattern, index, groups);
			continue;
		}

		if (char === '(') {
			if (/^\(\?(?:[=!]|<[=!])/.test(pattern.slice(index, index + 4))) {
				return 'lookahead and lookbehind ((?=, (?!, (?<=, (?<!) are not allowed';
			}

			groups.push(false);
			index += 1;
			continue;
		}

		if (char === ')') {
			const innerRepeats = groups.pop() ?? false;
			const quantifier = quantifierAt(pattern, index + 1);
			if (quantifier?.repeats && innerRepeats) {
				return `a repeated group contains a repetition ("${pattern.slice(0, index + 1 + quantifier.length)}"), which can take exponential time; write it without nesting, e.g. (a+)+ as a+`;
			}

			const parent = groups.length - 1;
			groups[parent] = (groups[parent] ?? false) || innerRepeats || (quantifier?.repeats ?? false);
			index += 1 + (quantifier?.length ?? 0);
			continue;
		}

		index = afterQuantifier(pattern, index + 1, groups);
	}

	return undefined;
}

/** Skips a quantifier at `index` (if any), noting a repetition in the innermost group. */
function afterQuantifier(pattern: string, index: number, groups: boolean[]): number {
	const quantifier = quantifierAt(pattern, index);
	if (quantifier === undefined) {
		return index;
	}

	if (quantifier.repeats) {
		groups[groups.length - 1] = true;
	}

	return index + quantifier.length;
}

/** A quantifier (with its lazy '?') at `index`; `repeats` when it allows more than one. */
function quantifierAt(pattern: string, index: number): {length: number; repeats: boolean} | undefined {
	const char = pattern[index];
	let length = 0;
	let repeats = false;
	if (char === '*' || char === '+') {
		length = 1;
		repeats = true;
	} else if (char === '?') {
		length = 1;
	} else if (char === '{') {
		const match = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(index));
		if (match === null) {
			return undefined;
		}

		length = match[0].length;
		const max = match[2] === undefined ? Number(match[1]) : match[3] === '' ? Infinity : Number(match[3]);
		repeats = max > 1;
	} else {
		return undefined;
	}

	return pattern[index + length] === '?' ? {length: length + 1, repeats} : {length, repeats};
}

/** Index after the character class starting at `index` ('[' … ']'). */
function afterClass(pattern: string, index: number): number {
	let cursor = index + 1;
	if (pattern[cursor] === '^') {
		cursor += 1;
	}

	if (pattern[cursor] === ']') {
		cursor += 1;
	}

	while (cursor < pattern.length && pattern[cursor] !== ']') {
		cursor += pattern[cursor] === '\\' ? 2 : 1;
	}

	return cursor + 1;
}

let linearAvailable: boolean | undefined;

/**
 * Compiles an accepted pattern. V8's backtracking engine is polynomial even
 * without nested quantifiers: /.*a.*a.*b/ against 256 'a's took 1.2 s on
 * this machine and 17 s against 512. So rules run on V8's linear-time
 * engine (the 'l' flag) when this Node has it — the flag that enables it
 * only affects regular expressions compiled with 'l'. Without it the
 * backtracking engine is used on command lines cut to MAX_MATCHED_COMMAND.
 */
export function compileRule(pattern: string): RegExp {
	if (linearAvailable === undefined) {
		v8.setFlagsFromString('--enable-experimental-regexp-engine');
		try {
			new RegExp('a', 'l');
			linearAvailable = true;
		} catch {
			linearAvailable = false;
		}
	}

	if (linearAvailable) {
		try {
			return new RegExp(pattern, 'l');
		} catch {
			// A construct the linear engine lacks; the structure check has
			// already bounded what the backtracking engine can do with it.
		}
	}

	return new RegExp(pattern);
}

/** Whether rule regexes run in linear time here (reported by `cws whitelist`). */
export function linearRegexAvailable(): boolean {
	compileRule('a');
	return linearAvailable ?? false;
}
