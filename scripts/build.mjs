// Bundles cws in two parts. dist/cli.js and the chunks it imports lazily
// (dist/chunks/) are ES modules, the command line: a few files load far
// faster than a module graph resolved file by file, and code splitting
// leaves what a command does not use unread. dist/tui.cjs is the full-screen
// workspace (`cws`, `cws demo`) as one classic script: Node 20 can keep V8's
// compiled code of a script between starts (vm.Script cachedData, see
// source/ui/code-cache.ts), which it cannot do for ES modules, and compiling
// Ink, React and the interface is a large part of a cold start. Only the
// script holds Ink, and only it is built with the edits of
// scripts/bundle-edits.mjs.
import {build} from 'esbuild';
import {chmod, readdir, readFile, rm, stat} from 'node:fs/promises';
import {builtinModules} from 'node:module';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {scriptBundleEdits} from './bundle-edits.mjs';

const repo = fileURLToPath(new URL('..', import.meta.url));

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

/**
 * esbuild options of the full-screen workspace as one classic script,
 * `<outdir>/tui.cjs`: a CommonJS module (it exports runTui) already wrapped
 * in the function Node would wrap it in, so that source/ui/code-cache.ts
 * compiles the file's text as it is. All ASCII, that text is a string V8
 * keeps outside its heap, half the size of the two-byte string a single
 * other character would make, and never copied to join a wrapper to it:
 * about 6 ms and 8 MB of heap less at every start. esbuild escapes other
 * characters in code but keeps some comments as they are, so comments in
 * source/ must be ASCII too (test/build/ink-patches.test.ts checks the
 * script).
 */
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
		plugins: [sharedBuiltins, ...scriptBundleEdits],
		alias: {'react-devtools-core': './scripts/stubs/react-devtools-core.js'},
		define: {
			'process.env.NODE_ENV': '"production"',
			CWS_VERSION: JSON.stringify(pkg.version),
		},
		banner: {js: '(function (exports, require, module, __filename, __dirname) {'},
		footer: {js: '})'},
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
