import {readFile} from 'node:fs/promises';
import {describe, expect, it} from 'vitest';
import {KEYS_END, KEYS_START, keyTableMarkdown, updateReadme} from '../../source/commands/key-table.js';
import {DEFAULT_COMMANDS} from '../../source/commands/registry.js';

describe('README key table', () => {
	it('is what scripts/gen-keys-doc.mjs generates from the command table (run it after changing keys)', async () => {
		const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
		expect(readme).toContain(KEYS_START);
		expect(readme).toContain(KEYS_END);
		expect(updateReadme(readme), 'README.md is out of date: run node scripts/gen-keys-doc.mjs').toBe(readme);
	});

	it('lists every command id and its keys', () => {
		const table = keyTableMarkdown();
		for (const command of DEFAULT_COMMANDS) expect(table).toContain(`\`${command.id}\``);
		expect(table).toContain('`Ctrl+C/Ctrl+D/Ctrl+\\`');
	});

	it('replaces only the text between the markers', () => {
		const before = `intro\n${KEYS_START}\nold\n${KEYS_END}\noutro\n`;
		const after = updateReadme(before, 'NEW');
		expect(after).toBe(`intro\n${KEYS_START}\nNEW\n${KEYS_END}\noutro\n`);
	});
});
