import {mkdir, mkdtemp, readFile, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {spawnSync} from 'node:child_process';
import {describe, expect, it} from 'vitest';
import {startCws, useCwsCleanup, type CwsTerminal} from '../helpers/pty.js';

useCwsCleanup();

type Record = {type: string; session: string; reason?: string; detail?: string};

async function sessionRecords(workspace: string): Promise<Record[]> {
	const text = await readFile(path.join(workspace, '.cws', 'sessions.jsonl'), 'utf8');
	return text
		.trim()
		.split('\n')
		.map(line => JSON.parse(line) as Record);
}

async function workspace(): Promise<string> {
	const dir = await mkdtemp(path.join(os.tmpdir(), 'cws-shell-'));
	return path.join(dir, 'ws');
}

async function ready(t: CwsTerminal): Promise<void> {
	await t.waitForText('Stage board', {timeout: 15_000});
}

function expectRestored(t: CwsTerminal): void {
	expect(t.isAlternateScreen()).toBe(false);
	expect(t.isCursorVisible()).toBe(true);
	// Line wrap and bracketed paste are back to what a shell expects.
	expect(t.output()).toMatch(/\u001B\[\?7h/);
	expect(t.output()).toMatch(/\u001B\[\?2004l/);
}

describe('how a session ends', () => {
	it(':cexit Enter leaves with exit code 0, the normal screen, a visible cursor and a cexit record', async () => {
		const ws = await workspace();
		const t = await startCws({workspace: ws});
		await ready(t);
		t.press(':');
		for (const ch of 'cexit') t.press(ch);
		t.key('enter');
		const exit = await t.waitForExit({timeout: 10_000});
		expect(exit).toEqual({exitCode: 0, signal: undefined});
		expectRestored(t);
		expect(t.text()).toContain('cws: session ended (cexit)');
		expect(t.text()).not.toContain('Stage board');
		const records = await sessionRecords(ws);
		expect(records.map(record => record.type)).toEqual(['start', 'end']);
		expect(records[1]).toMatchObject({reason: 'cexit', session: records[0]!.session});
	});

	for (const signal of ['SIGTERM', 'SIGHUP'] as const) {
		it(`${signal} shuts down within 5 s, restores the terminal and names the signal in the record`, async () => {
			const ws = await workspace();
			const t = await startCws({workspace: ws});
			await ready(t);
			const sent = Date.now();
			t.kill(signal);
			const exit = await t.waitForExit({timeout: 6000});
			expect(Date.now() - sent).toBeLessThan(5000);
			expect(exit.signal).toBeUndefined();
			expect(exit.exitCode).toBe(signal === 'SIGTERM' ? 143 : 129);
			expectRestored(t);
			const records = await sessionRecords(ws);
			expect(records.at(-1)).toMatchObject({type: 'end', reason: signal});
		});
	}

	it('an unexpected fatal signal still restores the terminal and records a crash', async () => {
		const ws = await workspace();
		const t = await startCws({workspace: ws});
		await ready(t);
		t.kill('SIGXCPU');
		const exit = await t.waitForExit({timeout: 6000});
		expect(exit.exitCode).toBe(1);
		expectRestored(t);
		expect(t.text()).toContain('terminated by SIGXCPU');
		expect((await sessionRecords(ws)).at(-1)).toMatchObject({type: 'end', reason: 'crash', detail: 'SIGXCPU'});
	});

	it('after a session killed without a chance to end, the next start says so once', async () => {
		const ws = await workspace();
		await mkdir(path.join(ws, '.cws'), {recursive: true, mode: 0o700});
		const dead = Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString());
		const start = {type: 'start', session: 'killed', at: new Date(Date.now() - 3_600_000).toISOString(), host: os.hostname(), pid: dead, user: 'me'};
		await writeFile(path.join(ws, '.cws', 'sessions.jsonl'), `${JSON.stringify(start)}\n`, {mode: 0o600});
		const first = await startCws({workspace: ws});
		await first.waitForText('did not end cleanly', {timeout: 15_000});
		await first.waitForText('Recovery:');
		first.key('ctrl+x');
		await first.waitFor(screen => !screen.join('\n').includes('did not end cleanly'));
		first.kill('SIGTERM');
		await first.waitForExit({timeout: 6000});

		const second = await startCws({workspace: ws});
		await ready(second);
		await new Promise(resolve => setTimeout(resolve, 300));
		expect(second.text()).not.toContain('did not end cleanly');
		const records = await sessionRecords(ws);
		expect(records.find(record => record.type === 'recovered')).toMatchObject({session: 'killed'});
	});
});
