import {describe, expect, it} from 'vitest';
import {assertFitsWidth, startCws, useCwsCleanup, type CwsTerminal} from '../helpers/pty.js';

useCwsCleanup();

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));
const HINT = 'type :cexit to leave';

/** Presses `key`, then checks 500 ms later that cws still runs and shows the hint. */
async function survives(t: CwsTerminal, key: string, where: string): Promise<void> {
	if (key.length === 1) t.press(key);
	else t.key(key);
	await sleep(500);
	expect(t.exited(), `${key} in ${where}`).toBeUndefined();
	await t.waitForText(HINT, {timeout: 3000});
	expect(t.isAlternateScreen()).toBe(true);
}

describe('keys that must never leave cws', () => {
	it('Ctrl+C, Ctrl+D, q and Esc in the board, in help and on the command line keep it running and show the hint', async () => {
		const t = await startCws({cols: 80, rows: 24});
		await t.waitForText('Stage board', {timeout: 15_000});
		for (const key of ['ctrl+c', 'ctrl+d', 'q', 'esc', 'ctrl+\\', 'Q']) await survives(t, key, 'the board');
		t.press('Z');
		t.press('Z');
		await survives(t, 'ctrl+c', 'the board after ZZ');

		t.press('?');
		await t.waitForText('filter:');
		for (const key of ['ctrl+c', 'ctrl+d', 'q']) {
			await survives(t, key, 'help');
			await t.waitForText('filter:');
		}

		await survives(t, 'esc', 'help');
		await t.waitForText('Stage board');

		t.press(':');
		await t.waitForText('Command line');
		for (const key of ['ctrl+c', 'ctrl+d', 'q']) {
			await survives(t, key, 'the command line');
			await t.waitForText('Command line');
		}

		await survives(t, 'esc', 'the command line');
		await t.waitForText('Stage board');
		assertFitsWidth(t);
	});

	it('delivers Ctrl+C and Ctrl+\\ sent as signals as the hint, not as an exit', async () => {
		const t = await startCws();
		await t.waitForText('Stage board', {timeout: 15_000});
		t.kill('SIGINT');
		await t.waitForText(HINT);
		t.kill('SIGQUIT');
		await sleep(500);
		expect(t.exited()).toBeUndefined();
	});
});

describe('help and the command line', () => {
	it('? shows the keys from the command table; : finds cexit by typing cex', async () => {
		const t = await startCws();
		await t.waitForText('Stage board', {timeout: 15_000});
		t.press('?');
		await t.waitForText('filter:');
		for (const ch of 'focus') t.press(ch);
		const focus = (await t.waitForText('Focus the next pane')).join('\n');
		for (const text of ['Tab', 'Shift+Tab', 'Focus the sync queue']) expect(focus).toContain(text);
		for (let index = 0; index < 5; index++) t.key('backspace');
		for (const ch of 'cexit') t.press(ch);
		const cexit = await t.waitForText('Leave cws: graceful shutdown');
		expect(cexit.join('\n')).toMatch(/:cexit +Leave cws/);
		expect(cexit.join('\n')).not.toContain('Focus the next pane');
		t.key('ctrl+g');
		await t.waitForText('Stage board');
		t.press(':');
		await t.waitForText('Command line');
		t.press('c');
		t.press('e');
		t.press('x');
		const palette = await t.waitForText(/▶ cexit +Leave cws/);
		expect(palette.join('\n')).toContain(':cex');
		t.key('enter');
		await t.waitForText('Enter again runs cexit');
		expect(t.exited()).toBeUndefined();
		t.key('ctrl+g');
		await t.waitForText('Stage board');
		assertFitsWidth(t);
	});

	it(': says beforehand that a partial cexit is only completed, and runs the cexit row picked with the arrow keys', async () => {
		const t = await startCws();
		await t.waitForText('Stage board', {timeout: 15_000});
		t.press(':');
		await t.waitForText('Command line');
		t.press('c');
		t.press('e');
		t.press('x');
		await t.waitForText(/▶ cexit +Leave cws/);
		await t.waitForText('Enter completes cexit, Enter again runs it');
		t.key('down');
		await t.waitFor(screen => !screen.join('\n').includes('▶ cexit'));
		t.key('up');
		const picked = await t.waitForText(/▶ cexit +Leave cws/);
		expect(picked.join('\n')).toContain('Enter run');
		expect(picked.join('\n')).not.toContain('Enter completes cexit');
		t.key('enter');
		expect(await t.waitForExit({timeout: 10_000})).toEqual({exitCode: 0, signal: undefined});
		expect(t.text()).toContain('cws: session ended (cexit)');
	});
});
