import {mkdir, mkdtemp} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {initWorkspace} from '../../source/core/workspace.js';
import {assertFitsWidth, startCws, useCwsCleanup, type CwsTerminal} from '../helpers/pty.js';

useCwsCleanup();

/**
 * The screen must be exactly what a full repaint draws: Ctrl+L repaints
 * every line, so any row left over from an earlier size would differ.
 */
async function expectNoStaleRows(t: CwsTerminal): Promise<void> {
	await new Promise(resolve => setTimeout(resolve, 200));
	await t.flush();
	const before = t.screen();
	t.key('ctrl+l');
	await new Promise(resolve => setTimeout(resolve, 200));
	await t.flush();
	expect(t.screen()).toEqual(before);
}

describe('resizing', () => {
	it('follows 80×24 → 60×20 → 120×40 → 40×10 → 80×24 with no overlong line and no stale row', async () => {
		const ws = path.join(await mkdtemp(path.join(os.tmpdir(), 'cws-resize-')), 'ws');
		// An existing workspace: the first start's toast would expire between two compared screens.
		await initWorkspace(ws);
		for (const name of ['alpha', 'beta', 'gamma']) await mkdir(path.join(ws, 'active', name), {recursive: true});
		const t = await startCws({workspace: ws, cols: 80, rows: 24});
		await t.waitForText('gamma', {timeout: 15_000});
		// The cards come first, their git state a moment later: compare screens once it is there.
		await t.waitFor(lines => lines.filter(line => line.includes('no git')).length === 3, {message: 'git state of the three cards'});

		for (const [cols, rows] of [[60, 20], [120, 40]] as const) {
			t.resize(cols, rows);
			const screen = await t.waitFor(lines => lines.length === rows && lines.at(-1)!.includes(':cexit to leave') && lines[0]!.length === cols, {
				message: `full layout at ${cols}×${rows}`,
			});
			expect(screen[0]).toMatch(/^╔═ ▶ 1 Stage board/);
			expect(screen.join('\n')).toContain('3 Processes');
			for (const line of screen) expect(line.length).toBeLessThanOrEqual(cols);
			assertFitsWidth(t);
			await expectNoStaleRows(t);
		}

		t.resize(40, 10);
		const small = await t.waitForText('terminal too small');
		expect(small.join('\n').replaceAll('\n', ' ')).toMatch(/need 60×16, have\s+40×10/);
		expect(small.join('\n')).not.toContain('Stage board');
		for (const line of small) expect(line.length).toBeLessThanOrEqual(40);
		await expectNoStaleRows(t);

		t.resize(80, 24);
		const back = await t.waitFor(lines => lines[0]!.startsWith('╔═ ▶ 1 Stage board') && lines.at(-1)!.includes(':cexit to leave'), {message: 'layout back at 80×24'});
		expect(back.join('\n')).not.toContain('terminal too small');
		expect(back.join('\n')).toContain('gamma');
		assertFitsWidth(t);
		await expectNoStaleRows(t);
		expect(t.exited()).toBeUndefined();
	});
});
