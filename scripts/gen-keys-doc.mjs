// Regenerates the key table in README.md (between <!-- keys:start --> and
// <!-- keys:end -->) from the command table, the one place keys are
// defined. test/commands/readme-keys.test.ts fails when README.md is stale.
//
//   node scripts/gen-keys-doc.mjs          rewrite README.md
//   node scripts/gen-keys-doc.mjs --check  exit 1 if README.md is out of date
import {readFile, writeFile} from 'node:fs/promises';
import {fileURLToPath, pathToFileURL} from 'node:url';
import {bundleTs} from './run-ts.mjs';

const readmePath = fileURLToPath(new URL('../README.md', import.meta.url));
const tableModule = fileURLToPath(new URL('../source/commands/key-table.ts', import.meta.url));
const {updateReadme} = await import(pathToFileURL(await bundleTs(tableModule)).href);

const current = await readFile(readmePath, 'utf8');
const updated = updateReadme(current);
if (process.argv.includes('--check')) {
	if (updated !== current) {
		process.stderr.write('README.md key table is out of date: run node scripts/gen-keys-doc.mjs\n');
		process.exitCode = 1;
	}
} else if (updated === current) {
	process.stdout.write('README.md key table is up to date\n');
} else {
	await writeFile(readmePath, updated);
	process.stdout.write('README.md key table regenerated\n');
}
