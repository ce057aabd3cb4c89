// Runs a TypeScript entry (a bench or torture script) on Node 20, which
// cannot load .ts itself: esbuild bundles it the way scripts/build.mjs
// bundles the CLI, into node_modules/.cache/cws-run/, then the bundle is
// imported in this process with process.argv rewritten so the script sees
// its own arguments and its own path (a script may fork itself).
//
//   node scripts/run-ts.mjs scripts/bench-store.ts [args...]
import {build} from 'esbuild';
import {createHash} from 'node:crypto';
import {mkdir, rename, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cacheDir = path.join(repo, 'node_modules', '.cache', 'cws-run');

/** Bundles `entry` and returns the absolute path of the cached .mjs. */
export async function bundleTs(entry) {
	const absolute = path.resolve(entry);
	const result = await build({
		entryPoints: [absolute],
		bundle: true,
		write: false,
		platform: 'node',
		format: 'esm',
		target: 'node20',
		jsx: 'automatic',
		sourcemap: 'inline',
		logLevel: 'warning',
		absWorkingDir: repo,
		alias: {'react-devtools-core': path.join(repo, 'scripts/stubs/react-devtools-core.js')},
		define: {'process.env.NODE_ENV': '"production"', CWS_VERSION: '"0.0.0-dev"'},
		banner: {
			js: [
				"import {createRequire as __cwsCreateRequire} from 'node:module';",
				'const require = __cwsCreateRequire(import.meta.url);',
			// write-file-atomic names its temp files after __filename.
			"import {fileURLToPath as __cwsFileURLToPath} from 'node:url';",
			'const __filename = __cwsFileURLToPath(import.meta.url);',
			].join('\n'),
		},
	});
	const code = result.outputFiles[0].contents;
	const hash = createHash('sha256').update(code).digest('hex').slice(0, 16);
	const name = `${path.basename(absolute).replace(/\.[cm]?tsx?$/, '')}-${hash}.mjs`;
	const output = path.join(cacheDir, name);
	await mkdir(cacheDir, {recursive: true});
	// Write then rename: several test workers may bundle the same entry at once.
	const staged = `${output}.${process.pid}.tmp`;
	await writeFile(staged, code);
	await rename(staged, output);
	return output;
}

const invokedDirectly = process.argv[1] && pathToFileURL(path.resolve(process.argv[1])).href === import.meta.url;
if (invokedDirectly) {
	const [entry, ...args] = process.argv.slice(2);
	if (!entry) {
		process.stderr.write('usage: node scripts/run-ts.mjs <entry.ts> [args...]\n');
		process.exit(2);
	}

	const bundle = await bundleTs(entry);
	process.argv = [process.argv[0], bundle, ...args];
	await import(pathToFileURL(bundle).href);
}
