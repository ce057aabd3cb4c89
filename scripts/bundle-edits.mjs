// Edits cws makes to dependency files as the interface script is bundled (scripts/build.mjs),
// each a plugin for esbuild: faster answers to what Ink asks most during a
// frame, and yoga and Ink started without what a classic script cannot do
// (a top-level await). Each edit says why, and test/build/ink-patches.test.ts
// and test/build/segmenter-edits.test.ts check the edited code against the
// library's.
import {readFile} from 'node:fs/promises';
import {createRequire} from 'node:module';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const repo = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const fastWidth = path.join(repo, 'scripts/stubs/string-width.js');
/** The string-width Ink imports (version 8, at the top of node_modules). */
const inkStringWidth = require.resolve('string-width', {paths: [path.join(repo, 'node_modules/ink')]});

/** Sends Ink's string-width through scripts/stubs/string-width.js, which answers common text at once. */
const fastStringWidth = {
	name: 'fast-string-width',
	setup(build) {
		build.onResolve({filter: /^string-width$/}, async args => {
			if (args.importer === fastWidth || args.pluginData === fastWidth) return undefined;
			const resolved = await build.resolve(args.path, {kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: fastWidth});
			// Other copies (wrap-ansi's string-width 7 counts some symbols differently) stay as they are.
			return resolved.path === inkStringWidth ? {path: fastWidth} : resolved;
		});
	},
};

/**
 * A plugin that edits one dependency file as it is bundled: each `from`
 * must be found and is replaced by `to` (as it is: a `$` in it is no
 * pattern), and some file must match `file` in every build that uses the
 * plugin. Either missing fails the build, so a new version of the
 * dependency (a changed text, a moved or renamed file) is looked at again.
 */
export function patched(name, file, edits) {
	return {
		name,
		setup(build) {
			// Counted per build: setup runs once for each build using the plugin.
			let applied = 0;
			build.onLoad({filter: file}, async args => {
				let text = await readFile(args.path, 'utf8');
				for (const [from, to] of edits) {
					if (!text.includes(from)) throw new Error(`${args.path}: expected to find ${from}; update ${name} in scripts/bundle-edits.mjs`);
					text = text.replace(from, () => to);
				}

				applied++;
				return {contents: text, loader: 'js'};
			});
			build.onEnd(result => {
				if (applied > 0 || result.errors.length > 0) return undefined;
				return {errors: [{text: `${name}: no bundled file matched ${file}, so its edits were not made; update ${name} in scripts/bundle-edits.mjs`}]};
			});
		},
	};
}

/**
 * Ink's layout engine (yoga-layout) carries its WebAssembly as base64 and,
 * since Node has fetch, loads it with fetch() of a data: URL: that compiles
 * Node's whole HTTP client (undici) and decodes 90 kB through it, a good
 * part of a cold start. Decoding it with Buffer gives the same bytes at once.
 * And the start is synchronous: yoga's module waits for its WebAssembly with
 * a top-level await, which a script cannot have. Emscripten's instantiateWasm hook is where the module gets
 * its instance; compiling the embedded bytes there with the synchronous
 * WebAssembly.Module and Instance (90 kB, allowed off the browser's main
 * thread) completes the module before loadYoga returns, so its object can
 * be wrapped at once. The loader's own promise still resolves, unused.
 */
const yogaSync = patched('yoga-sync', /yoga-layout[/\\]dist[/\\]binaries[/\\]yoga-wasm-base64-esm\.js$/, [
	// A script has no import.meta; the folder is only used to find a .wasm file, and the bytes are embedded.
	['var _scriptDir = import.meta.url;', 'var _scriptDir = undefined;'],
	['function ya(){return w||"function"!=typeof fetch?', 'function ya(){return true?'],
	['if(ua(a))try{var b=xa(a.slice(37)),c=new Uint8Array(b.length);for(a=0;a<b.length;++a)c[a]=b.charCodeAt(a);var d=c}', 'if(ua(a))try{var d=new Uint8Array(Buffer.from(a.slice(37),"base64"))}'],
	// d: the imports, a: the function that takes the instance and starts the runtime.
	['if(h.instantiateWasm)try{return h.instantiateWasm(d,\na)}', 'if(true)try{var instance=new WebAssembly.Instance(new WebAssembly.Module(wa()),d);a(instance);return instance.exports}'],
]);

/** yoga-layout's entry, without its top-level await: the module object is complete when loadYoga returns (see yogaSync). */
const yogaIndexSync = patched('yoga-index-sync', /yoga-layout[/\\]dist[/\\]src[/\\]index\.js$/, [
	['const Yoga = wrapAssembly(await loadYoga());', 'const yogaModule = {};\nloadYoga(yogaModule);\nif (!yogaModule.asm) throw new Error(\'yoga-layout did not start synchronously\');\nconst Yoga = wrapAssembly(yogaModule);'],
]);

/**
 * Ink's reconciler awaits two imports at its top when DEV=true, for React
 * DevTools (react-devtools-core, which cws does not ship: the script carries
 * an empty stand-in). A script cannot await at its top: DEV=true does nothing
 * in the full-screen workspace, as with the stand-in.
 */
const inkWithoutDevtools = patched('ink-without-devtools', /ink[/\\]build[/\\]reconciler\.js$/, [
	["await import('./devtools.js');", 'void 0;'],
	['? await loadPackageJson()', '? {name: undefined, version: undefined}'],
]);

/**
 * Ink turns every frame into text character by character, asking for the
 * style change between each character and the one before it; the answer
 * builds three Sets and several arrays even when the two styles are the
 * same, which is nearly always (most of the first frame's drawing time).
 * Same codes in the same order have no difference: say so at once.
 */
const sameStyleNoDiff = patched('same-style-no-diff', /@alcalzone[/\\]ansi-tokenize[/\\]build[/\\]diff\.js$/, [
	['export function diffAnsiCodes(from, to) {\n', 'export function diffAnsiCodes(from, to) {\n    if (from === to || (from.length === to.length && from.every((code, index) => code.code === to[index].code && code.endCode === to[index].endCode))) return [];\n'],
]);

/**
 * Edits of the step before: a line becomes one object per character, each
 * a copy of its token with its own copy of the style list in force. Ink only
 * reads those lists (and a new list is made whenever a code changes it), so
 * characters of one style share one list, and the token's three fields are
 * set directly instead of spread: a cold first frame spent about a fifth of
 * its drawing time here, and equal lists then compare at once (above).
 */
export const styledCharsEdits = [
	['ret.push({\n                ...token,\n                styles: [...codes],\n            });', 'ret.push({ type: token.type, value: token.value, fullWidth: token.fullWidth, styles: codes });'],
];

/**
 * The first Intl object a process makes loads ICU's data and the default
 * locale: 10 to 15 ms here, once. Four of the libraries Ink uses made a
 * grapheme segmenter when they loaded, so every start paid that before it
 * drew anything. Each makes it on its first use instead (only `segment` is
 * ever called on them); with the code-point paths below, a board of ASCII,
 * Latin and box-drawing text is drawn without one.
 */
function lazySegmenter(name, options) {
	return `let ${name}Instance;\nconst ${name} = {segment: text => (${name}Instance ??= new Intl.Segmenter(${options})).segment(text)};\n`;
}

/**
 * Whether every code point of a string is a grapheme cluster of its own, so
 * that no segmenter need be asked (the same test in ansi-tokenize and
 * slice-ansi). By the rules of Unicode (UAX #29) a cluster spans several code
 * points only through CR LF, Hangul syllable parts, Extend, ZWJ,
 * SpacingMark, Prepend or Regional_Indicator; the code points accepted are
 * LF, ESC and BEL (controls: clusters of their own, as every control but CR),
 * printable ASCII and the blocks the board draws with (Latin-1 to spacing
 * modifiers, general punctuation, arrows, mathematical and technical
 * symbols, box drawing to braille patterns), none of those classes and all in
 * the BMP (one UTF-16 unit each).
 */
const segmentsAreCodePoints = `function segmentsAreCodePoints(str) {
    for (let index = 0; index < str.length; index++) {
        const code = str.charCodeAt(index);
        if (code >= 0x20
            ? code <= 0x7e || (code >= 0xa0 && (code <= 0x2ff || (code >= 0x2010 && code <= 0x2027) || (code >= 0x2030 && code <= 0x205e) || (code >= 0x2190 && code <= 0x23ff) || (code >= 0x2500 && code <= 0x28ff)))
            : code === 0x0a || code === 0x1b || code === 0x07)
            continue;
        return false;
    }
    return true;
}
`;

/**
 * Ink cuts each line of a clipped box (a board column) with slice-ansi, which
 * asks the width of every character: two table look-ups and a Unicode
 * property regular expression each time, for the same few box-drawing and
 * letter characters over and over. The width depends on the character alone,
 * so single characters remember theirs.
 */
export const graphemeWidthEdits = [
	['function getGraphemeWidth(grapheme) {\n', 'const graphemeWidths = new Map();\n\nfunction getGraphemeWidth(grapheme) {\n\tif (grapheme.length <= 2) {\n\t\tlet width = graphemeWidths.get(grapheme);\n\t\tif (width === undefined) {\n\t\t\twidth = measureGraphemeWidth(grapheme);\n\t\t\tif (graphemeWidths.size < 4096) graphemeWidths.set(grapheme, width);\n\t\t}\n\n\t\treturn width;\n\t}\n\n\treturn measureGraphemeWidth(grapheme);\n}\n\nfunction measureGraphemeWidth(grapheme) {\n'],
];

/**
 * slice-ansi cuts a string into grapheme clusters before it cuts the line:
 * where every code point is a cluster of its own (segmentsAreCodePoints) it
 * reads them directly, and two such values are never one cluster; anything
 * else asks the segmenter (made on first use) as before.
 */
export const sliceSegmentEdits = [
	["const GRAPHEME_SEGMENTER = new Intl.Segmenter(undefined, {granularity: 'grapheme'});\n", `${lazySegmenter('GRAPHEME_SEGMENTER', "undefined, {granularity: 'grapheme'}")}${segmentsAreCodePoints}function codePointSegments(string) {\n\treturn {containing: index => index < string.length ? {segment: string[index], index} : undefined};\n}\n`],
	['function areValuesInSameGrapheme(leftValue, rightValue) {\n', 'function areValuesInSameGrapheme(leftValue, rightValue) {\n\tif (segmentsAreCodePoints(leftValue + rightValue)) return false;\n'],
	['const graphemeSegments = GRAPHEME_SEGMENTER.segment(string);', 'const graphemeSegments = segmentsAreCodePoints(string) ? codePointSegments(string) : GRAPHEME_SEGMENTER.segment(string);'],
];

const sliceAnsi = patched('slice-ansi', /slice-ansi[/\\]tokenize-ansi\.js$/, [...graphemeWidthEdits, ...sliceSegmentEdits]);

/**
 * string-width (which scripts/stubs/string-width.js asks only about text
 * beyond its common characters; Ink's copy) compiles the Unicode
 * emoji-sequence expression when it loads: about 5 ms of every start, for
 * text the board rarely has. It is compiled on its first use instead, and
 * its segmenter made on first use (lazySegmenter).
 */
export const emojiRegexEdits = [
	['const rgiEmojiRegex = /^\\p{RGI_Emoji}$/v;', 'let rgiEmojiRegexCompiled;\nconst rgiEmojiRegex = {test: segment => (rgiEmojiRegexCompiled ??= /^\\p{RGI_Emoji}$/v).test(segment)};'],
	['const segmenter = new Intl.Segmenter();\n', lazySegmenter('segmenter', '')],
];

const lazyEmojiRegex = patched('lazy-emoji-regex', new RegExp(`^${inkStringWidth.replaceAll(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`), emojiRegexEdits);

/** wrap-ansi's own string-width (version 7): its segmenter made on first use (lazySegmenter). */
export const wrapWidthEdits = [
	['const segmenter = new Intl.Segmenter();\n', lazySegmenter('segmenter', '')],
];

const wrapWidth = patched('wrap-ansi-string-width', /wrap-ansi[/\\]node_modules[/\\]string-width[/\\]index\.js$/, wrapWidthEdits);

const sharedStyleLists = patched('shared-style-lists', /@alcalzone[/\\]ansi-tokenize[/\\]build[/\\]styledChars\.js$/, styledCharsEdits);

/**
 * Ink turns each line of every frame into characters with
 * @alcalzone/ansi-tokenize, which cuts the text into grapheme clusters
 * with Intl.Segmenter: about 8 ms of a cold first frame, paid again by
 * every later frame. Where every code point of a string is a cluster of its
 * own (segmentsAreCodePoints), they are read directly; anything else goes
 * through the segmenter (made on first use) as before.
 */
export const tokenizeEdits = [
	['const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });\n', `${lazySegmenter('segmenter', 'undefined, { granularity: "grapheme" }')}${segmentsAreCodePoints}function codePointSegments(str) {
    let index = 0;
    return {
        [Symbol.iterator]() {
            return this;
        },
        next() {
            if (index >= str.length)
                return { done: true, value: undefined };
            const segment = str[index];
            return { done: false, value: { segment, index: index++ } };
        },
    };
}
function graphemeSegments(str) {
    return segmentsAreCodePoints(str) ? codePointSegments(str) : segmenter.segment(str);
}
`],
	['for (const { segment, index } of segmenter.segment(str)) {', 'for (const { segment, index } of graphemeSegments(str)) {'],
];

const codePointGraphemes = patched('code-point-graphemes', /@alcalzone[/\\]ansi-tokenize[/\\]build[/\\]tokenize\.js$/, tokenizeEdits);

/**
 * terminal-size, which Ink asks for the size of an output that is not a
 * terminal, loads Node's child_process when it loads: a few ms of every
 * start, for a fallback the full-screen workspace (always on a terminal)
 * never takes. It is loaded on first use instead.
 */
export const terminalSizeEdits = [
	["import {execFileSync} from 'node:child_process';\n", ''],
	['\texecFileSync(command, arguments_, {', "\tprocess.getBuiltinModule('node:child_process').execFileSync(command, arguments_, {"],
];

const lazyChildProcess = patched('terminal-size-child-process', /terminal-size[/\\]index\.js$/, terminalSizeEdits);

/** The edits the interface script (dist/tui.cjs, the only bundle holding Ink) is built with. */
export const scriptBundleEdits = [fastStringWidth, yogaSync, yogaIndexSync, inkWithoutDevtools, sameStyleNoDiff, sharedStyleLists, codePointGraphemes, sliceAnsi, wrapWidth, lazyEmojiRegex, lazyChildProcess];
