import {readFile} from 'node:fs/promises';
import {createRequire} from 'node:module';
import path from 'node:path';
import {pathToFileURL} from 'node:url';
import {describe, expect, it, vi} from 'vitest';
// @ts-expect-error: the edits are plain JavaScript without types.
import {graphemeWidthEdits, sliceSegmentEdits, wrapWidthEdits} from '../../scripts/bundle-edits.mjs';
import {prngBelow} from '../helpers/prng.js';

type Edits = Array<[string, string]>;
type Tokenize = (text: string, options?: {endCharacter?: number}) => unknown[];
type Slice = (text: string, start?: number, end?: number) => string;

/** The file `name` resolves to from Ink's own code: the copy the bundle holds (and edits). */
function inkResolves(name: string): string {
	return createRequire(createRequire(import.meta.url).resolve('ink')).resolve(name);
}

/** `file`'s text with `edits` made (each must be found) and its bare imports pointed at the files they resolve to. */
async function edited(file: string, edits: Edits, imports: string[]): Promise<string> {
	let text = await readFile(file, 'utf8');
	for (const [from, to] of edits) {
		expect(text).toContain(from);
		text = text.replace(from, () => to);
	}

	const resolve = createRequire(file).resolve;
	for (const name of imports) text = text.replace(`from '${name}'`, `from '${pathToFileURL(resolve(name)).href}'`);
	return text;
}

const dataUrl = (text: string): string => `data:text/javascript,${encodeURIComponent(text)}`;

/** slice-ansi (and its tokenizer) as the library has it, and with the bundle's edits made. */
async function sliceAnsiCopies(): Promise<{edited: {slice: Slice; tokenize: Tokenize}; original: {slice: Slice; tokenize: Tokenize}}> {
	const index = inkResolves('slice-ansi');
	const tokenizeFile = path.join(path.dirname(index), 'tokenize-ansi.js');
	const tokenizeText = await edited(tokenizeFile, [...graphemeWidthEdits, ...sliceSegmentEdits] as Edits, ['ansi-styles', 'is-fullwidth-code-point']);
	// Double quotes: encodeURIComponent leaves ' as it is, and the tokenizer's text has some.
	const indexText = (await readFile(index, 'utf8')).replace('from \'./tokenize-ansi.js\'', `from "${dataUrl(tokenizeText)}"`);
	expect(indexText).not.toContain('./tokenize-ansi.js');
	const load = async (url: string) => (await import(url) as {default: never}).default;
	return {
		edited: {slice: await load(dataUrl(indexText)), tokenize: await load(dataUrl(tokenizeText))},
		original: {slice: await load(pathToFileURL(index).href), tokenize: await load(pathToFileURL(tokenizeFile).href)},
	};
}

// Read directly (every code point a cluster of its own), and not: combining marks, emoji
// sequences, flags, Hangul, CR LF, C1 controls.
const inside = ['a', 'Z', ' ', '~', '\n', '║', '═', '╔', '─', '│', '█', '▶', '…', '·', '↓', '→', '⌚', '✓', '⠋', '©', 'é', 'ß', '\u001B[31m', '\u001B[1;38;5;240m', '\u001B[0m', '\u001B[39m', '\u001B]8;;https://example.com\u0007', '\u001B]8;;\u0007', '\u001B'];
const outside = ['e\u0301', '\u0301', '❤\uFE0F', '▶\uFE0F', '1\uFE0F\u20E3', '👩\u200D💻', '✌🏽', '\u200D', '🇫🇷', '🇫', '한', '\u1100\u1161\u11A8', '\u1100', '\u11A8', '\r\n', '\r', '\t', '\u0600', 'क\u094D\u0937', '\u0903', '界', '😀', '\u009B31m', '\u00AD', '\uFFFD'];

describe('slice-ansi reading code points where they are the grapheme clusters', () => {
	it('cuts and tokenizes exactly as the library, styles and links between characters included', async () => {
		const {edited: lib, original} = await sliceAnsiCopies();
		const next = prngBelow(0x5_11_CE);
		const pick = (list: string[]) => list[next(list.length)]!;
		for (const glyph of [...inside, ...outside]) {
			expect(lib.tokenize(glyph)).toEqual(original.tokenize(glyph));
			expect(lib.slice(`x${glyph}y`, 1, 2)).toBe(original.slice(`x${glyph}y`, 1, 2));
		}

		for (let round = 0; round < 3000; round++) {
			// Half the lines within the code points read directly, half with something else in them.
			const glyphs = round % 2 === 0 ? inside : [...inside, ...outside];
			let line = '';
			for (let length = 1 + next(24); length > 0; length--) line += pick(glyphs);
			const start = next(8);
			const end = start + next(16);
			expect(lib.slice(line, start, end)).toBe(original.slice(line, start, end));
			expect(lib.slice(line, start)).toBe(original.slice(line, start));
			expect(lib.tokenize(line, {endCharacter: end})).toEqual(original.tokenize(line, {endCharacter: end}));
		}
	}, 60_000);

	it('asks the segmenter about nothing the board draws, and still about everything else', async () => {
		const {edited: lib} = await sliceAnsiCopies();
		const segment = vi.spyOn(Intl.Segmenter.prototype, 'segment');
		try {
			lib.slice(`\u001B[1m║ alpha-tool\u001B[22m · 3 notes ▶ \u001B[36m…\u001B[39m ═╗`, 2, 30);
			expect(segment).not.toHaveBeenCalled();
			lib.slice('caf\u00E9 e\u0301', 0, 4);
			expect(segment).toHaveBeenCalled();
		} finally {
			segment.mockRestore();
		}
	});
});

describe('wrap-ansi\'s string-width making its segmenter on first use', () => {
	it('measures exactly as the library', async () => {
		const file = createRequire(inkResolves('wrap-ansi')).resolve('string-width');
		const text = await edited(file, wrapWidthEdits as Edits, ['strip-ansi', 'get-east-asian-width', 'emoji-regex']);
		type Width = (text: string, options?: {ambiguousIsNarrow?: boolean}) => number;
		const lib = (await import(dataUrl(text)) as {default: Width}).default;
		const original = (await import(pathToFileURL(file).href) as {default: Width}).default;
		const next = prngBelow(0x3_1D_7B);
		const glyphs = [...inside, ...outside];
		for (let round = 0; round < 1500; round++) {
			let line = '';
			for (let length = 1 + next(12); length > 0; length--) line += glyphs[next(glyphs.length)]!;
			expect(lib(line)).toBe(original(line));
			expect(lib(line, {ambiguousIsNarrow: false})).toBe(original(line, {ambiguousIsNarrow: false}));
		}
	});
});
