import {isAscii} from 'node:buffer';
import {execFileSync} from 'node:child_process';
import {existsSync} from 'node:fs';
import {mkdir, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import {createRequire} from 'node:module';
import path from 'node:path';
import {diffAnsiCodes, reduceAnsiCodes, styledCharsFromTokens, styledCharsToString, tokenize} from '@alcalzone/ansi-tokenize';
import {pathToFileURL} from 'node:url';
import {build} from 'esbuild';
// @ts-expect-error: the build script is plain JavaScript without types.
import {emojiRegexEdits, graphemeWidthEdits, patched, styledCharsEdits, terminalSizeEdits, tokenizeEdits} from '../../scripts/bundle-edits.mjs';
import {describe, expect, it, vi} from 'vitest';
import {prngBelow} from '../helpers/prng.js';

/** The file `name` resolves to from Ink's own code: the copy the bundle holds (and edits), which need not be the top-level one. */
function inkResolves(name: string): string {
	return createRequire(createRequire(import.meta.url).resolve('ink')).resolve(name);
}

/** @alcalzone/ansi-tokenize's tokenize as the library has it, and with tokenizeEdits made (as the interface script has it). */
async function tokenizers(): Promise<{edited: typeof tokenize; original: typeof tokenize}> {
	// The copy Ink imports: the package's exports (import only) hide its files from require.resolve, so
	// look where Node's resolution from Ink's folder looks, nearest node_modules first.
	let dir = path.dirname(createRequire(import.meta.url).resolve('ink'));
	while (!existsSync(path.join(dir, 'node_modules/@alcalzone/ansi-tokenize/package.json'))) {
		expect(dir).not.toBe(path.dirname(dir));
		dir = path.dirname(dir);
	}

	const file = path.join(dir, 'node_modules/@alcalzone/ansi-tokenize/build/tokenize.js');
	let text = await readFile(file, 'utf8');
	for (const [from, to] of tokenizeEdits as Array<[string, string]>) {
		expect(text).toContain(from);
		text = text.replace(from, to);
	}

	text = text.replaceAll('from "./', `from "${pathToFileURL(path.dirname(file)).href}/`);
	text = text.replace('from "is-fullwidth-code-point"', `from "${pathToFileURL(createRequire(file).resolve('is-fullwidth-code-point')).href}"`);
	const edited = (await import(`data:text/javascript,${encodeURIComponent(text)}`) as {tokenize: typeof tokenize}).tokenize;
	const original = (await import(pathToFileURL(file).href) as {tokenize: typeof tokenize}).tokenize;
	return {edited, original};
}

describe('the dependency edits the interface script is built with (scripts/bundle-edits.mjs)', () => {
	it('style diff: the library itself finds no difference between equal styles, so answering [] at once changes nothing', () => {
		const sgr = ['\u001B[1m', '\u001B[2m', '\u001B[3m', '\u001B[4m', '\u001B[7m', '\u001B[31m', '\u001B[36m', '\u001B[90m', '\u001B[39m', '\u001B[22m', '\u001B[0m', '\u001B[41m', '\u001B[49m', '\u001B[38;5;240m', '\u001B[38;2;1;2;3m'];
		const next = prngBelow(0x1234567);

		let compared = 0;
		for (let round = 0; round < 2000; round++) {
			let text = '';
			for (let length = 1 + next(10); length > 0; length--) text += sgr[next(sgr.length)]! + 'ab'.slice(0, next(3));
			for (const char of styledCharsFromTokens(tokenize(`${text}x`))) {
				const styles = reduceAnsiCodes(char.styles);
				expect(diffAnsiCodes(styles, styles.map(code => ({...code})))).toEqual([]);
				compared++;
			}
		}

		expect(compared).toBeGreaterThan(2000);
	});

	it('styled chars: characters of one style sharing one list give the same characters, styles and text as the library', async () => {
		// The one copy (Ink's); the package's exports hide its build folder from resolve.
		const file = path.resolve('node_modules/@alcalzone/ansi-tokenize/build/styledChars.js');
		let text = await readFile(file, 'utf8');
		for (const [from, to] of styledCharsEdits as Array<[string, string]>) {
			expect(text).toContain(from);
			text = text.replace(from, to);
		}

		// The edited module, importing its siblings from the library's folder.
		text = text.replaceAll('from "./', `from "${pathToFileURL(path.dirname(file)).href}/`);
		const edited = await import(`data:text/javascript,${encodeURIComponent(text)}`) as {styledCharsFromTokens: typeof styledCharsFromTokens};
		const sgr = ['\u001B[1m', '\u001B[2m', '\u001B[22m', '\u001B[31m', '\u001B[39m', '\u001B[0m', '\u001B[7m', '\u001B[27m', '\u001B[38;5;240m', '\u001B[41m', '\u001B[49m'];
		const glyphs = ['a', 'b', ' ', '║', '界', '😀', 'é'];
		const next = prngBelow(0x7654321);

		for (let round = 0; round < 1000; round++) {
			let line = '';
			for (let length = 1 + next(20); length > 0; length--) line += next(3) === 0 ? sgr[next(sgr.length)]! : glyphs[next(glyphs.length)]!;
			const expected = styledCharsFromTokens(tokenize(line));
			const actual = edited.styledCharsFromTokens(tokenize(line));
			expect(actual).toEqual(expected);
			expect(styledCharsToString(actual)).toBe(styledCharsToString(expected));
		}
	});

	it('grapheme widths: slice-ansi remembering single characters\' widths tokenizes exactly as the library', async () => {
		const file = path.join(path.dirname(inkResolves('slice-ansi')), 'tokenize-ansi.js');
		let text = await readFile(file, 'utf8');
		for (const [from, to] of graphemeWidthEdits as Array<[string, string]>) {
			expect(text).toContain(from);
			text = text.replace(from, to);
		}

		const resolve = createRequire(file).resolve;
		for (const name of ['ansi-styles', 'is-fullwidth-code-point']) text = text.replace(`from '${name}'`, `from '${pathToFileURL(resolve(name)).href}'`);
		type Tokenize = (text: string, options?: {endCharacter?: number}) => unknown[];
		const edited = (await import(`data:text/javascript,${encodeURIComponent(text)}`) as {default: Tokenize}).default;
		const original = (await import(pathToFileURL(file).href) as {default: Tokenize}).default;
		const glyphs = ['a', ' ', '║', '═', '▶', '↓', '·', '界', '😀', '⌚', '☕', '✅', 'é', 'e\u0301', '❤\uFE0F', '1\uFE0F\u20E3', '🇫🇷', '\u{1F3FB}', '\u200D', '\t', '\u001B[31m', '\u001B[0m', '\u001B]8;;x\u0007'];
		const next = prngBelow(0x2468ace);

		// Twice over the same text: the second pass answers from what the first remembered.
		for (let round = 0; round < 1500; round++) {
			let line = '';
			for (let length = 1 + next(16); length > 0; length--) line += glyphs[next(glyphs.length)]!;
			expect(edited(line)).toEqual(original(line));
			expect(edited(line, {endCharacter: 5})).toEqual(original(line, {endCharacter: 5}));
		}

		// Every character of the Basic Multilingual Plane, alone and then from memory.
		for (let pass = 0; pass < 2; pass++) {
			for (let code = 0x20; code < 0x10000; code += 1) {
				if (code >= 0xD800 && code <= 0xDFFF) continue;
				const char = String.fromCharCode(code);
				expect(edited(char)).toEqual(original(char));
			}
		}
	}, 60_000);

	it('tokenize: reading code points where they are the grapheme clusters tokenizes exactly as the library', async () => {
		const {edited, original} = await tokenizers();
		const inside = ['a', 'Z', ' ', '~', '\n', '║', '═', '╔', '─', '│', '█', '▶', '…', '·', '↓', '→', '⌚', '✓', '✔', '⠋', '©', 'é', 'ß', '‼', '\u001B[31m', '\u001B[1;38;5;240m', '\u001B[0m', '\u001B]8;;https://example.com\u0007', '\u001B]8;;\u0007'];
		const outside = ['e\u0301', '\u0301', '❤\uFE0F', '▶\uFE0F', '↔\uFE0F', '1\uFE0F\u20E3', '👩\u200D💻', '✌🏽', '\u200D', '🇫🇷', '🇫', '한', '\u1100\u1161\u11A8', '\u1100', '\u11A8', '\r\n', '\r', '\t', '\u0600', 'क\u094D\u0937', '\u0903', '界', '😀', '\u009B31m', '\u00AD', '\u2028', '\uFFFD'];
		const tokenizes = (line: string) => {
			expect(edited(line)).toEqual(original(line));
			expect(edited(line, 3)).toEqual(original(line, 3));
		};

		for (const glyph of [...inside, ...outside]) tokenizes(glyph);
		const next = prngBelow(0x0badf00d);

		for (let round = 0; round < 3000; round++) {
			// Half the lines within the code points read directly, half with something else in them.
			const glyphs = round % 2 === 0 ? inside : [...inside, ...outside];
			let line = '';
			for (let length = 1 + next(24); length > 0; length--) line += glyphs[next(glyphs.length)]!;
			tokenizes(line);
		}

		// The segmenter is still asked about everything else, and only about that.
		const segment = vi.spyOn(Intl.Segmenter.prototype, 'segment');
		try {
			edited(`${inside.join('')}plain ║ text ▶ … ·`);
			expect(segment).not.toHaveBeenCalled();
			edited('caf\u00E9 e\u0301');
			expect(segment).toHaveBeenCalledTimes(1);
		} finally {
			segment.mockRestore();
		}
	}, 60_000);

	it('tokenize: every code point read directly is its own grapheme cluster next to every other one', async () => {
		// The code points tokenizeEdits reads directly (segmentsAreCodePoints in scripts/bundle-edits.mjs).
		const ranges = [[0x07, 0x07], [0x0A, 0x0A], [0x1B, 0x1B], [0x20, 0x7E], [0xA0, 0x2FF], [0x2010, 0x2027], [0x2030, 0x205E], [0x2190, 0x23FF], [0x2500, 0x28FF]] as const;
		const chars: string[] = [];
		for (const [first, last] of ranges) for (let code = first; code <= last; code++) chars.push(String.fromCharCode(code));
		// They are the ones the edited tokenize reads directly: the segmenter is asked about no
		// string of one of them, and about each code point just outside the ranges.
		const {edited} = await tokenizers();
		const segment = vi.spyOn(Intl.Segmenter.prototype, 'segment');
		try {
			for (const char of chars) edited(char);
			expect(segment).not.toHaveBeenCalled();
			const next = ranges.flatMap(([first, last]) => [first - 1, last + 1]).filter(code => !chars.includes(String.fromCharCode(code)));
			for (const code of next) edited(String.fromCharCode(code));
			expect(segment).toHaveBeenCalledTimes(next.length);
		} finally {
			segment.mockRestore();
		}

		// Each ordered pair of them side by side once (each line: c_i, then c_i c_j for every later j, then
		// c_i+1). Grapheme rules that look further than a pair need a code point none of these is
		// (Extend, ZWJ, Regional_Indicator), so all pairs apart means any string of them is apart.
		const segmenter = new Intl.Segmenter(undefined, {granularity: 'grapheme'});
		let pairs = 0;
		for (let i = 0; i < chars.length; i++) {
			let line = chars[i]!;
			for (let j = i + 1; j < chars.length; j++) line += chars[i]! + chars[j]!;
			line += chars[(i + 1) % chars.length]!;
			pairs += line.length - 1;
			let clusters = 0;
			for (const {segment} of segmenter.segment(line)) {
				if (segment.length !== 1) expect.fail(`${JSON.stringify(segment)} is one grapheme cluster`);
				clusters++;
			}

			expect(clusters).toBe(line.length);
		}

		expect(pairs).toBeGreaterThanOrEqual(chars.length ** 2);
	}, 60_000);

	it('string-width compiling its emoji expression on first use measures exactly as the library', async () => {
		const file = inkResolves('string-width');
		let text = await readFile(file, 'utf8');
		for (const [from, to] of emojiRegexEdits as Array<[string, string]>) {
			expect(text).toContain(from);
			text = text.replace(from, to);
		}

		const resolve = createRequire(file).resolve;
		for (const name of ['strip-ansi', 'get-east-asian-width']) text = text.replace(`from '${name}'`, `from '${pathToFileURL(resolve(name)).href}'`);
		type Width = (text: string, options?: {ambiguousIsNarrow?: boolean}) => number;
		const edited = (await import(`data:text/javascript,${encodeURIComponent(text)}`) as {default: Width}).default;
		const original = (await import(pathToFileURL(file).href) as {default: Width}).default;
		const glyphs = ['a', '║', '界', '😀', '👩\u200D💻', '❤\uFE0F', '❤', '1\uFE0F\u20E3', '🇫🇷', '👍🏽', 'e\u0301', '\u00AD', '·', '\u001B[31m', 'ｶ\uFF9E'];
		const next = prngBelow(0x1357bdf);

		for (let round = 0; round < 1500; round++) {
			let line = '';
			for (let length = 1 + next(10); length > 0; length--) line += glyphs[next(glyphs.length)]!;
			expect(edited(line)).toBe(original(line));
			expect(edited(line, {ambiguousIsNarrow: false})).toBe(original(line, {ambiguousIsNarrow: false}));
		}
	});

	it('terminal-size loading child_process on first use still asks tput, as the library does', async () => {
		const file = inkResolves('terminal-size');
		let text = await readFile(file, 'utf8');
		for (const [from, to] of terminalSizeEdits as Array<[string, string]>) {
			expect(text).toContain(from);
			text = text.replace(from, () => to);
		}

		expect(text).not.toContain('child_process\';');
		// Its last resorts run commands: without a terminal (setsid: no /dev/tty; output piped;
		// no COLUMNS), a tput on PATH that answers 132 × 43 is what both copies must report.
		const dir = await mkdtemp(path.join(os.tmpdir(), 'cws-terminal-size-'));
		try {
			const edited = path.join(dir, 'edited.mjs');
			await writeFile(edited, text);
			await writeFile(path.join(dir, 'tput'), '#!/bin/sh\ncase "$1" in cols) echo 132;; lines) echo 43;; esac\n', {mode: 0o755});
			const env: NodeJS.ProcessEnv = {...process.env, PATH: `${dir}:${process.env['PATH'] ?? ''}`};
			delete env['COLUMNS'];
			delete env['LINES'];
			for (const copy of [edited, file]) {
				const probe = `import(${JSON.stringify(pathToFileURL(copy).href)}).then(m => console.log(JSON.stringify(m.default())))`;
				const out = execFileSync('setsid', [process.execPath, '-e', probe], {encoding: 'utf8', env, timeout: 20_000, stdio: ['ignore', 'pipe', 'pipe']});
				expect(JSON.parse(out)).toEqual({columns: 132, rows: 43});
			}
		} finally {
			await rm(dir, {recursive: true, force: true});
		}
	});

	it('interface script: every edit is in it, and yoga starts without fetch() or a top-level await', async () => {
		const script = await readFile('dist/tui.cjs', 'utf8');
		expect(script).toMatch(/fullWidth: token\.fullWidth,\s*styles: codes\s*\}\)/);
		expect(script).toMatch(/function diffAnsiCodes\(from, to\) \{\s*if \(from === to \|\| \(?from\.length === to\.length && from\.every\(/);
		// esbuild may rename the emscripten locals in a single scope (a → a2).
		expect(script).toMatch(/Buffer\.from\(a\d*\.slice\(37\), "base64"\)/);
		expect(script).toMatch(/new WebAssembly\.Instance\(new WebAssembly\.Module\(wa\(\)\), d\d*\)/);
		expect(script).not.toMatch(/function ya\(\) \{\s*return w\d* \|\| "function" != typeof fetch/);
		expect(script).not.toContain('await loadYoga');
		expect(script).not.toContain("import('./devtools.js')");
		expect(script).toContain('graphemeWidths.get(grapheme)');
		expect(script).toContain('rgiEmojiRegexCompiled ??=');
		expect(script).toContain('for (const { segment, index } of graphemeSegments(str))');
		// Built-ins are copied once each, not once per importing file.
		expect(script.match(/__toESM\(require\("node:/g)?.length ?? 0).toBeLessThan(40);
		// One function expression, all ASCII: read as Latin-1 it is a string outside V8's heap, compiled as it is.
		expect(script.startsWith('(function (exports, require, module, __filename, __dirname) {\n')).toBe(true);
		expect(script).toMatch(/\n\}\)\n(\/\/# sourceMappingURL=tui\.cjs\.map\n)?$/);
		expect(isAscii(Buffer.from(script))).toBe(true);
	});

	it('interface script: loads as a classic script with yoga ready at once, in a fresh node', () => {
		// As source/ui/code-cache.ts runs it: the file is the function Node wraps a CommonJS module in.
		const probe = [
			"const {readFileSync} = require('node:fs');",
			"const {runInThisContext} = require('node:vm');",
			"const file = process.argv[1];",
			"const m = {exports: {}};",
			"runInThisContext(readFileSync(file, 'latin1'), {filename: file})(m.exports, require, m, file, require('node:path').dirname(file));",
			"if (typeof m.exports.runTui !== 'function') throw new Error('no runTui');",
			// Loaded on first use, after the first frame (see terminalSizeEdits and walkInThread).
			"for (const name of ['child_process', 'worker_threads']) if (process.moduleLoadList.includes('NativeModule ' + name)) throw new Error(name + ' loaded with the script');",
			"console.log('loaded');",
		].join('\n');
		const out = execFileSync(process.execPath, ['-e', probe, path.resolve('dist/tui.cjs')], {encoding: 'utf8', timeout: 20_000, env: {...process.env, DEV: 'true'}});
		expect(out.trim()).toBe('loaded');
	});
});

describe('an edit of a dependency file as it is bundled', () => {
	type Plugin = Parameters<typeof build>[0]['plugins'];
	const bundle = async (dir: string, entry: string, plugin: NonNullable<Plugin>[number]) => build({
		absWorkingDir: dir, entryPoints: [entry], bundle: true, write: false, format: 'esm', platform: 'node', logLevel: 'silent', plugins: [plugin],
	});

	it('puts its replacement in as it is, and fails every build that uses it where no file matched', async () => {
		const dir = await mkdtemp(path.join(os.tmpdir(), 'cws-patched-'));
		try {
			await mkdir(path.join(dir, 'dep'));
			await writeFile(path.join(dir, 'dep', 'value.js'), 'export const value = \'plain\';\n');
			await writeFile(path.join(dir, 'uses.js'), 'import {value} from \'./dep/value.js\';\nconsole.log(value);\n');
			await writeFile(path.join(dir, 'alone.js'), 'console.log(\'alone\');\n');
			const plugin = patched('test-edit', /dep[/\\]value\.js$/, [['\'plain\'', '\'$&-$1-$$\'']]);
			const made = await bundle(dir, 'uses.js', plugin);
			expect(made.outputFiles[0]!.text).toContain('"$&-$1-$$"');
			// The same plugin in a build where its file is not bundled: the edit was never made.
			await expect(bundle(dir, 'alone.js', plugin)).rejects.toThrow(/test-edit: no bundled file matched/);
			await expect(bundle(dir, 'uses.js', patched('moved-file', /dep[/\\]renamed\.js$/, [['a', 'b']]))).rejects.toThrow(/moved-file: no bundled file matched/);
		} finally {
			await rm(dir, {recursive: true, force: true});
		}
	});
});
