import {stat} from 'node:fs/promises';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {assertFitsWidth, startCws, useCwsCleanup} from '../helpers/pty.js';

useCwsCleanup();

describe('the first `cws` on a machine without a workspace', () => {
	it('creates the default workspace, says where, and shows the four stages at 80×24', async () => {
		const t = await startCws({cols: 80, rows: 24});
		const screen = await t.waitFor(
			lines => ['Sandbox', 'Active', 'Stable', 'Public'].every(name => lines.join('\n').includes(name)),
			{timeout: 15_000, message: 'the four stage names'},
		);
		expect(screen).toHaveLength(24);
		for (const line of screen) {
			expect(line.length).toBeLessThanOrEqual(80);
		}

		assertFitsWidth(t);
		expect(t.output()).toContain(`Created a new workspace at ${t.defaultWorkspace}`);
		// The line printed before the full screen opened is hidden by it: a toast says it again.
		await t.waitForText('Created a new workspace at', {timeout: 3000});
		for (const folder of ['sandbox', 'active', 'stable', 'public', '.cws']) {
			const info = await stat(path.join(t.defaultWorkspace, folder));
			expect(info.isDirectory()).toBe(true);
			expect(info.mode & 0o777).toBe(0o700);
		}

		// Ctrl+C never quits by accident.
		t.key('ctrl+c');
		await new Promise(resolve => setTimeout(resolve, 300));
		expect(t.exited()).toBeUndefined();
		// SIGTERM (like an SSH drop) runs the graceful shutdown: the process ends by itself, not by the signal.
		t.kill('SIGTERM');
		const exit = await t.waitForExit({timeout: 15_000});
		expect(exit.signal).toBeUndefined();
		expect(t.isAlternateScreen()).toBe(false);
		expect(t.isCursorVisible()).toBe(true);
	});

	it('says nothing about creating when the workspace exists already', async () => {
		const first = await startCws();
		await first.waitForText('Sandbox', {timeout: 15_000});
		const workspace = first.defaultWorkspace;
		first.kill('SIGTERM');
		await first.waitForExit({timeout: 15_000});

		const second = await startCws({workspace});
		await second.waitForText('Sandbox', {timeout: 15_000});
		expect(second.output()).not.toContain('Created a new workspace');
	});
});
