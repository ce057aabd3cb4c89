import {readFile} from 'node:fs/promises';
import {describe, expect, it} from 'vitest';
import {commands} from '../../source/cli/index.js';

const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');

describe('README', () => {
	it('documents every CLI command with its usage line', () => {
		// Table cells escape '|' as '\|'.
		const documented = readme.replaceAll('\\|', '|');
		const missing = commands.filter(command => !documented.includes(`\`${command.usage}\``));
		expect(missing.map(command => `| \`${command.usage.replaceAll('|', '\\|')}\` | ${command.summary} |`)).toEqual([]);
	});

	it('gives the install, start and test commands, and keeps the generated sections', () => {
		for (const text of ['npm install', 'npm start', 'npx cws', 'npm ci', 'npm test', '<!-- keys:start -->', '<!-- keys:end -->']) {
			expect(readme).toContain(text);
		}
	});

	it('names test files that exist for every guarantee', async () => {
		const section = readme.slice(readme.indexOf('## Guarantees'), readme.indexOf('## Performance'));
		const files = [...section.matchAll(/`(test\/[^`]+\.test\.tsx?)`/g)].map(match => match[1]!);
		expect(files.length).toBeGreaterThanOrEqual(10);
		for (const file of files) {
			await expect(readFile(new URL(`../../${file}`, import.meta.url)), file).resolves.toBeDefined();
		}
	});
});
