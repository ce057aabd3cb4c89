// Bundles cli.tsx and everything it imports into one ES module, dist/cli.js.
// One file loads far faster than Ink's module graph resolved file by file,
// which is most of a cold start.
import {build} from 'esbuild';
import {chmod, readFile} from 'node:fs/promises';

const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));

await build({
	entryPoints: ['cli.tsx'],
	outfile: 'dist/cli.js',
	bundle: true,
	platform: 'node',
	format: 'esm',
	target: 'node20',
	jsx: 'automatic',
	sourcemap: 'linked',
	logLevel: 'warning',
	// Ink only loads react-devtools-core when DEV=true; it is not installed.
	alias: {'react-devtools-core': './scripts/stubs/react-devtools-core.js'},
	define: {
		'process.env.NODE_ENV': '"production"',
		CWS_VERSION: JSON.stringify(pkg.version),
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
});
await chmod('dist/cli.js', 0o755);
