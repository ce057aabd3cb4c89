import {mkdtemp, readFile, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as pty from 'node-pty';
import {describe, expect, it} from 'vitest';
import {CLI_PATH} from '../helpers/pty.js';

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

/**
 * Runs cws under a small parent that survives the hang-up and writes down
 * how cws exited: the pty harness can only signal, not close the terminal.
 */
const WRAPPER = `
const {spawn} = require('node:child_process');
const {writeFileSync} = require('node:fs');
process.on('SIGHUP', () => {});
const [cli, workspace, out] = process.argv.slice(2);
if (!cli || !cli.endsWith('cli.js') || !workspace || !out) process.exit(2);
const child = spawn(process.execPath, [cli, '--workspace', workspace], {stdio: 'inherit'});
child.on('exit', (code, signal) => writeFileSync(out, JSON.stringify({code, signal})));
`;

describe('losing the terminal (an SSH drop)', () => {
	it('runs the shutdown, records it, and exits 129 instead of aborting', async () => {
		const dir = await mkdtemp(path.join(os.tmpdir(), 'cws-ttylost-'));
		const workspace = path.join(dir, 'ws');
		const out = path.join(dir, 'exit.json');
		const wrapper = path.join(dir, 'wrapper.cjs');
		await writeFile(wrapper, WRAPPER);
		const terminal = pty.spawn(process.execPath, [wrapper, CLI_PATH, workspace, out], {
			cols: 80,
			rows: 24,
			env: {PATH: process.env['PATH'] ?? '', HOME: dir, XDG_CONFIG_HOME: path.join(dir, '.config'), TERM: 'xterm-256color', CI: 'false', LANG: 'C.UTF-8'},
		});
		try {
			await closeAndCheck(terminal, workspace, out);
		} finally {
			try {
				process.kill(terminal.pid, 'SIGKILL');
			} catch {
				// Already gone, as it should be.
			}
		}
	});
});

async function closeAndCheck(terminal: pty.IPty, workspace: string, out: string): Promise<void> {
	let screen = '';
	terminal.onData(data => {
		screen += data;
	});
	for (let waited = 0; !screen.includes('Stage board') && waited < 15_000; waited += 50) await sleep(50);
	expect(screen).toContain('Stage board');
	const closed = Date.now();
	// Closes the pty's master side, as sshd does when the connection drops (IPty's types omit it).
	(terminal as unknown as {destroy(): void}).destroy();
	let exit: {code: number | null; signal: string | null} | undefined;
	while (!exit && Date.now() - closed < 8000) {
		await sleep(100);
		exit = await readFile(out, 'utf8').then(text => JSON.parse(text) as typeof exit, () => undefined);
	}

	expect(exit).toEqual({code: 129, signal: null});
	expect(Date.now() - closed).toBeLessThan(5000);
	const records = (await readFile(path.join(workspace, '.cws', 'sessions.jsonl'), 'utf8')).trim().split('\n').map(line => JSON.parse(line) as {type: string; reason?: string});
	expect(records.at(-1)).toMatchObject({type: 'end', reason: expect.stringMatching(/^(tty-lost|SIGHUP)$/)});
}
