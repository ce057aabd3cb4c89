import {mkdir, mkdtemp, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {startCws, useCwsCleanup, type StartOptions} from '../helpers/pty.js';

useCwsCleanup();

/** Every SGR parameter the program sent. */
function sgrParameters(output: string): number[] {
	return [...output.matchAll(/\u001B\[([0-9;]*)m/g)].flatMap(match => match[1]!.split(';').filter(part => part !== '').map(Number));
}

const isColour = (code: number) => (code >= 30 && code <= 38) || (code >= 40 && code <= 48) || (code >= 90 && code <= 97) || (code >= 100 && code <= 107);

async function withProject(): Promise<string> {
	const ws = path.join(await mkdtemp(path.join(os.tmpdir(), 'cws-look-')), 'ws');
	await mkdir(path.join(ws, 'sandbox', 'alpha'), {recursive: true});
	return ws;
}

async function render(options: StartOptions): Promise<string> {
	const t = await startCws(options);
	await t.waitForText('▶ alpha', {timeout: 15_000});
	t.press('?');
	await t.waitForText('filter:');
	const output = t.output();
	t.kill('SIGTERM');
	await t.waitForExit({timeout: 6000});
	return output;
}

describe('how the shell looks', () => {
	it('uses only the 16 ANSI colours, marks the selection with inverse, and never captures the mouse', async () => {
		const output = await render({workspace: await withProject()});
		const codes = sgrParameters(output);
		expect(codes.some(isColour)).toBe(true);
		expect(codes).not.toContain(38);
		expect(codes).not.toContain(48);
		expect(codes).toContain(7);
		for (const mode of ['1000', '1002', '1003', '1005', '1006', '1015']) expect(output).not.toContain(`\u001B[?${mode}h`);
	});

	const noColour: Array<[string, StartOptions]> = [
		['NO_COLOR', {env: {NO_COLOR: '1'}}],
		['--no-color', {args: ['--no-color']}],
	];
	for (const [label, options] of noColour) {
		it(`sends no colour at all with ${label}, and the selection stays visible`, async () => {
			const output = await render({workspace: await withProject(), ...options});
			const codes = sgrParameters(output);
			expect(codes.filter(isColour)).toEqual([]);
			expect(codes).toContain(7);
			expect(output).toContain('▶ alpha');
		});
	}

	it('warns at start about unusable key overrides and keeps the default keys', async () => {
		const home = await mkdtemp(path.join(os.tmpdir(), 'cws-look-home-'));
		const config = path.join(home, '.config');
		await mkdir(path.join(config, 'cws'), {recursive: true});
		await writeFile(path.join(config, 'cws', 'config.json'), JSON.stringify({keys: {'app.nothing': 'n', 'app.log': '?'}}));
		const t = await startCws({workspace: await withProject(), env: {HOME: home, XDG_CONFIG_HOME: config}});
		const screen = (await t.waitForText('unknown command', {timeout: 15_000})).join('\n');
		expect(screen).toContain("keys for unknown command 'app.nothing' ignored");
		expect(screen).toMatch(/app\.log: '\?' is already used by app\.help; defaults kept/);
		t.key('ctrl+x');
		t.press('@');
		await t.waitForText('No external commands have run yet.');
	});
});
