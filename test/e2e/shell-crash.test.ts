import {mkdtemp, readFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {startCws, useCwsCleanup} from '../helpers/pty.js';

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
	const dir = await mkdtemp(path.join(os.tmpdir(), 'cws-crash-'));
	return path.join(dir, 'ws');
}

// $CWS_FAULT is the interface's test hook (source/ui/fault.tsx): a real Error
// thrown inside the running program, not a signal standing in for one.
describe('an uncaught error inside the full-screen interface', () => {
	for (const fault of ['crash-after-first-frame', 'crash-in-render'] as const) {
		it(`${fault}: exit code 1, the terminal restored, the error on the normal screen, a crash record`, async () => {
			const ws = await workspace();
			const t = await startCws({workspace: ws, env: {CWS_FAULT: fault}});
			const exit = await t.waitForExit({timeout: 15_000});
			// The interface was really running: it had entered the alternate screen and drawn the board.
			expect(t.output()).toContain('\u001B[?1049h');
			expect(t.output()).toContain('Stage board');
			expect(exit).toEqual({exitCode: 1, signal: undefined});
			expect(t.isAlternateScreen()).toBe(false);
			expect(t.isCursorVisible()).toBe(true);
			expect(t.output()).toMatch(/\u001B\[\?7h/);
			expect(t.output()).toMatch(/\u001B\[\?2004l/);
			const screen = t.text();
			expect(screen).toContain('cws: unexpected error (this is a bug; please report it)');
			expect(screen).toContain(`injected fault (CWS_FAULT=${fault})`);
			expect(screen).not.toContain('Stage board');
			const records = await sessionRecords(ws);
			expect(records.map(record => record.type)).toEqual(['start', 'end']);
			expect(records[1]).toMatchObject({
				type: 'end',
				reason: 'crash',
				session: records[0]!.session,
				detail: expect.stringContaining(`injected fault (CWS_FAULT=${fault})`) as unknown,
			});
		});
	}

	it('an unknown CWS_FAULT value is ignored: the interface keeps running', async () => {
		const ws = await workspace();
		const t = await startCws({workspace: ws, env: {CWS_FAULT: 'crash'}});
		await t.waitForText('Stage board', {timeout: 15_000});
		await new Promise(resolve => setTimeout(resolve, 600));
		expect(t.exited()).toBeUndefined();
		t.kill('SIGTERM');
		expect((await t.waitForExit({timeout: 6000})).exitCode).toBe(143);
	});
});
