import {readFile} from 'node:fs/promises';
import stringWidthExact from 'string-width';
import {describe, expect, it} from 'vitest';
import {prngBelow} from '../helpers/prng.js';
// @ts-expect-error: a plain JavaScript module without types, bundled in place of Ink's string-width.
import stringWidth, {ONE_COLUMN} from '../../scripts/stubs/string-width.js';

const fast = stringWidth as (text: unknown, options?: {ambiguousIsNarrow?: boolean}) => number;
const pattern = ONE_COLUMN as RegExp;

/** Every BMP character the fast path answers for. */
function listed(): string[] {
	const chars: string[] = [];
	for (let code = 0x20; code <= 0xFFFF; code++) {
		if (code >= 0xD800 && code <= 0xDFFF) continue;
		const char = String.fromCharCode(code);
		if (pattern.test(char)) chars.push(char);
	}

	return chars;
}

describe('the bundled string-width', () => {
	it('counts each listed character as one column, alone, doubled and beside ASCII, exactly as string-width does', () => {
		const chars = listed();
		expect(chars.length).toBeGreaterThan(2000);
		const wrong = chars.filter(char =>
			stringWidthExact(char) !== 1
			|| stringWidthExact(`a${char}`) !== 2
			|| stringWidthExact(`${char}a`) !== 2
			|| stringWidthExact(char + char) !== 2);
		expect(wrong.map(char => char.codePointAt(0)!.toString(16))).toEqual([]);
	});

	it('answers like string-width for board text, wide, combining, emoji, escapes, newlines and options', () => {
		const samples = [
			'', 'plain ascii', '╔═ ▶ 1 Stage board · 1000 projects ═══╗', '║ ac-00012 · main ↑2 ✓ …', '⠼ syncing → GitHub',
			'漢字', 'e\u0301', '👍🏽', '⚠️', 'a\u200Bb', '\u001B[31mred ║\u001B[39m', '\u001B[1m\u001B[36m ▶ 1 Stage\u001B[39m\u001B[22m═', '\u001B[12345m║', '\u001B[38;2;1;2;3m·', '\u001B]8;;https://x\u0007link\u001B]8;;\u0007', '\u009B31m·', 'two\nlines', '\u00AD', 'x\u0300', '▶\uFE0F', 42,
		];
		for (const sample of samples) {
			expect(fast(sample)).toBe(stringWidthExact(sample as string));
			expect(fast(sample, {ambiguousIsNarrow: false})).toBe(stringWidthExact(sample as string, {ambiguousIsNarrow: false}));
		}
	});

	it('answers like string-width for random mixes of listed characters, colours, other escapes and other characters', () => {
		const chars = listed();
		const pieces = ['\u001B[0m', '\u001B[m', '\u001B[1;31m', '\u001B[38;5;240m', '\u001B[99999m', '\u001B[;;m', '\u001B[2K', '\u001B', '\u009B', '\u0007', '\n', '\t', '漢', '\u0301', '\u200D', '👍', '\uFE0F', '⌚', '\u00AD'];
		// A fixed sequence (xorshift), so a failure can be reproduced.
		const next = prngBelow(0x2545F491);

		const wrong: string[] = [];
		for (let round = 0; round < 5000; round++) {
			let text = '';
			for (let length = next(12); length > 0; length--) text += next(4) === 0 ? pieces[next(pieces.length)]! : chars[next(chars.length)]!;
			if (fast(text) !== stringWidthExact(text)) wrong.push(JSON.stringify(text));
		}

		expect(wrong).toEqual([]);
	});

	it('is the string-width Ink uses in the interface script', async () => {
		const bundle = await readFile('dist/tui.cjs', 'utf8');
		expect(bundle).toContain('function widestLine(');
		expect(bundle).toContain('// scripts/stubs/string-width.js');
		// Ink's text measuring calls the fast path, not string-width directly.
		expect(bundle).toMatch(/function widestLine\([^)]*\) \{[^}]*lineWidth = Math\.max\(lineWidth, (\w+)\(line\)\)/);
		const caller = /lineWidth = Math\.max\(lineWidth, (\w+)\(line\)\)/.exec(bundle)![1]!;
		expect(bundle).toMatch(new RegExp(`function ${caller}\\(text, options\\) \\{\\s*if \\(typeof text === "string" && options\\?\\.ambiguousIsNarrow !== false`));
	});
});
