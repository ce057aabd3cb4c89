// Bundles cws in two forms. dist/cli.js and the chunks it imports lazily
// (dist/chunks/) are ES modules: a few files load far faster than Ink's
// module graph resolved file by file, and code splitting leaves what a start
// does not use unread (a subcommand never parses Ink). dist/tui.cjs is the
// full-screen workspace as one classic script: Node 20 can keep V8's compiled
// code of a script between starts (vm.Script cachedData, see
// source/ui/code-cache.ts), which it cannot do for ES modules, and compiling
// Ink, React and the interface is a large part of a cold start.
import {build} from 'esbuild';
import {chmod, readdir, readFile, rm, stat} from 'node:fs/promises';
import {builtinModules, createRequire} from 'node:module';
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
					if (!text.includes(from)) throw new Error(`${args.path}: expected to find ${from}; update ${name} in scripts/build.mjs`);
					text = text.replace(from, () => to);
				}

				applied++;
				return {contents: text, loader: 'js'};
			});
			build.onEnd(result => {
				if (applied > 0 || result.errors.length > 0) return undefined;
				return {errors: [{text: `${name}: no bundled file matched ${file}, so its edits were not made; update ${name} in scripts/build.mjs`}]};
			});
		},
	};
}

/**
 * Ink's layout engine (yoga-layout) carries its WebAssembly as base64 and,
 * since Node has fetch, loads it with fetch() of a data: URL: that compiles
 * Node's whole HTTP client (undici) and decodes 90 kB through it, a good
 * part of a cold start. Decoding it with Buffer gives the same bytes at once.
 */
const yogaWithoutFetch = patched('yoga-without-fetch', /yoga-layout[/\\]dist[/\\]binaries[/\\]yoga-wasm-base64-esm\.js$/, [
	// Take the synchronous path (wa) instead of fetch().
	['function ya(){return w||"function"!=typeof fetch?', 'function ya(){return true?'],
	// In it, base64 through Buffer instead of atob and a loop over char codes.
	['if(ua(a))try{var b=xa(a.slice(37)),c=new Uint8Array(b.length);for(a=0;a<b.length;++a)c[a]=b.charCodeAt(a);var d=c}', 'if(ua(a))try{var d=new Uint8Array(Buffer.from(a.slice(37),"base64"))}'],
]);

/**
 * The same edits for the classic script, plus a synchronous start: yoga's
 * module waits for its WebAssembly with a top-level await, which a script
 * cannot have. Emscripten's instantiateWasm hook is where the module gets
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
 * DevTools (react-devtools-core, which cws does not ship: the bundles carry
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
 * Ink cuts each line of a clipped box (a board column) with slice-ansi, which
 * asks the width of every character: two table look-ups and a Unicode
 * property regular expression each time, for the same few box-drawing and
 * letter characters over and over. The width depends on the character alone,
 * so single characters remember theirs.
 */
export const graphemeWidthEdits = [
	['function getGraphemeWidth(grapheme) {\n', 'const graphemeWidths = new Map();\n\nfunction getGraphemeWidth(grapheme) {\n\tif (grapheme.length <= 2) {\n\t\tlet width = graphemeWidths.get(grapheme);\n\t\tif (width === undefined) {\n\t\t\twidth = measureGraphemeWidth(grapheme);\n\t\t\tif (graphemeWidths.size < 4096) graphemeWidths.set(grapheme, width);\n\t\t}\n\n\t\treturn width;\n\t}\n\n\treturn measureGraphemeWidth(grapheme);\n}\n\nfunction measureGraphemeWidth(grapheme) {\n'],
];

const rememberedGraphemeWidths = patched('remembered-grapheme-widths', /slice-ansi[/\\]tokenize-ansi\.js$/, graphemeWidthEdits);

/**
 * string-width (which scripts/stubs/string-width.js asks only about text
 * beyond its common characters; Ink's copy) compiles the Unicode
 * emoji-sequence expression when it loads: about 5 ms of every start, for
 * text the board rarely has. It is compiled on its first use instead.
 */
export const emojiRegexEdits = [
	['const rgiEmojiRegex = /^\\p{RGI_Emoji}$/v;', 'let rgiEmojiRegexCompiled;\nconst rgiEmojiRegex = {test: segment => (rgiEmojiRegexCompiled ??= /^\\p{RGI_Emoji}$/v).test(segment)};'],
];

const lazyEmojiRegex = patched('lazy-emoji-regex', new RegExp(`^${inkStringWidth.replaceAll(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`), emojiRegexEdits);

const sharedStyleLists = patched('shared-style-lists', /@alcalzone[/\\]ansi-tokenize[/\\]build[/\\]styledChars\.js$/, styledCharsEdits);

/**
 * Ink turns each line of every frame into characters with
 * @alcalzone/ansi-tokenize, which cuts the text into grapheme clusters
 * with Intl.Segmenter: about 8 ms of a cold first frame, paid again by
 * every later frame. Where a string holds only code points that never join
 * a neighbour into one cluster, the clusters are its code points, and those
 * are read directly. By the rules of Unicode (UAX #29) a cluster spans
 * several code points only through CR LF, Hangul syllable parts, Extend,
 * ZWJ, SpacingMark, Prepend or Regional_Indicator; the code points read
 * directly are LF, ESC and BEL (controls: clusters of their own, as
 * every control but CR), printable ASCII and the blocks the board draws with
 * (Latin-1 to spacing modifiers, general punctuation, arrows, mathematical
 * and technical symbols, box drawing to braille patterns), none of those classes
 * and all in the BMP (one UTF-16 unit each). Anything else goes through
 * the segmenter as before.
 */
export const tokenizeEdits = [
	['const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });\n', `const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });
function segmentsAreCodePoints(str) {
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
function codePointSegments(str) {
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

/** esbuild options of the cws bundle, written to `outdir` (the entry is `<outdir>/cli.js`). */
export async function buildOptions(outdir = path.join(repo, 'dist')) {
	const pkg = JSON.parse(await readFile(path.join(repo, 'package.json'), 'utf8'));
	return {
		absWorkingDir: repo,
		entryPoints: ['cli.tsx'],
		outdir,
		entryNames: '[name]',
		chunkNames: 'chunks/[name]-[hash]',
		splitting: true,
		bundle: true,
		platform: 'node',
		format: 'esm',
		target: 'node20',
		jsx: 'automatic',
		sourcemap: 'linked',
		logLevel: 'warning',
		plugins: [fastStringWidth, yogaWithoutFetch, sameStyleNoDiff, sharedStyleLists, codePointGraphemes, rememberedGraphemeWidths, lazyEmojiRegex],
		// Ink only loads react-devtools-core when DEV=true; it is not installed.
		alias: {'react-devtools-core': './scripts/stubs/react-devtools-core.js'},
		define: {
			'process.env.NODE_ENV': '"production"',
			CWS_VERSION: JSON.stringify(pkg.version),
			// cli.tsx loads the full-screen workspace from this script, next to cli.js.
			CWS_TUI_SCRIPT: JSON.stringify('tui.cjs'),
		},
		// Bundled CommonJS dependencies call require(); give the ESM bundle one.
		banner: {
			js: [
				'#!/usr/bin/env node',
				"import {createRequire as __cwsCreateRequire} from 'node:module';",
				'const require = __cwsCreateRequire(import.meta.url);',
				// write-file-atomic names its temp files after __filename.
				"import {fileURLToPath as __cwsFileURLToPath} from 'node:url';",
				'const __filename = __cwsFileURLToPath(import.meta.url);',
			].join('\n'),
		},
	};
}

/**
 * In a CommonJS bundle each file's `import x from 'node:fs'` becomes its own
 * __toESM(require('node:fs')), a fresh object with a getter for every export
 * of the built-in: about 130 such copies at start. Imported through one ES
 * module per built-in instead, each is copied once and shared (require()
 * still returns the built-in itself).
 */
const sharedBuiltins = {
	name: 'shared-builtins',
	setup(build) {
		build.onResolve({filter: /^(node:)?[a-z_/]+$/}, args => {
			const name = args.path.replace(/^node:/, '');
			if (!builtinModules.includes(name)) return undefined;
			if (args.namespace === 'shared-builtin') return {path: `node:${name}`, external: true};
			// require() keeps the module itself: graceful-fs patches fs through it.
			if (args.kind !== 'import-statement') return undefined;
			return {path: name, namespace: 'shared-builtin'};
		});
		build.onLoad({filter: /.*/, namespace: 'shared-builtin'}, args => ({
			contents: `export * from 'node:${args.path}';\nexport {default} from 'node:${args.path}';\n`,
			loader: 'js',
		}));
	},
};

/** esbuild options of the full-screen workspace as one classic script, `<outdir>/tui.cjs` (exports runTui). */
export async function tuiBuildOptions(outdir = path.join(repo, 'dist')) {
	const pkg = JSON.parse(await readFile(path.join(repo, 'package.json'), 'utf8'));
	return {
		absWorkingDir: repo,
		entryPoints: {tui: 'source/ui/run.tsx'},
		outdir,
		outExtension: {'.js': '.cjs'},
		bundle: true,
		platform: 'node',
		format: 'cjs',
		target: 'node20',
		jsx: 'automatic',
		sourcemap: 'linked',
		logLevel: 'warning',
		plugins: [sharedBuiltins, fastStringWidth, yogaSync, yogaIndexSync, inkWithoutDevtools, sameStyleNoDiff, sharedStyleLists, codePointGraphemes, rememberedGraphemeWidths, lazyEmojiRegex],
		alias: {'react-devtools-core': './scripts/stubs/react-devtools-core.js'},
		define: {
			'process.env.NODE_ENV': '"production"',
			CWS_VERSION: JSON.stringify(pkg.version),
		},
	};
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	const options = await buildOptions();
	const [{metafile}] = await Promise.all([build({...options, metafile: true}), build(await tuiBuildOptions(options.outdir))]);
	await chmod(path.join(options.outdir, 'cli.js'), 0o755);
	await pruneChunks(path.join(options.outdir, 'chunks'), new Set(Object.keys(metafile.outputs).map(file => path.resolve(repo, file))));
}

/**
 * Removes chunks of earlier builds (their names carry a content hash). One
 * younger than a minute is kept: a cws started just before this build may
 * still be about to import it (tests build while others run).
 */
async function pruneChunks(dir, current) {
	const entries = await readdir(dir).catch(() => []);
	for (const name of entries) {
		const file = path.join(dir, name);
		if (current.has(file)) continue;
		const {mtimeMs} = await stat(file);
		if (Date.now() - mtimeMs > 60_000) await rm(file, {force: true});
	}
}
