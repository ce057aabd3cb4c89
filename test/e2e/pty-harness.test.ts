import {describe, expect, it} from 'vitest';
import {assertFitsWidth, keySequence, startTerminal, useCwsCleanup} from '../helpers/pty.js';

useCwsCleanup();

/** A tiny program that echoes what it reads and obeys a few commands, to check the harness itself. */
const PROGRAM = `
process.stdin.setRawMode(true);
process.stdout.write('ready ' + process.stdout.columns + 'x' + process.stdout.rows + ' ' + process.env.CI + ' ' + process.env.TERM + '\\r\\n');
process.stdout.on('resize', () => process.stdout.write('size ' + process.stdout.columns + 'x' + process.stdout.rows + '\\r\\n'));
process.stdin.on('data', data => {
	const text = data.toString();
	if (text === 'A') process.stdout.write('\\u001B[?1049h\\u001B[?25l\\u001B[HALT SCREEN');
	else if (text === 'N') process.stdout.write('\\u001B[?1049l\\u001B[?25h');
	else if (text === 'W') process.stdout.write('x'.repeat(100) + '\\r\\n');
	else if (text === 'Q') process.exit(3);
	else process.stdout.write('got ' + JSON.stringify(text) + '\\r\\n');
});
`;

describe('the pseudo-terminal harness', () => {
	it('runs at the given size with CI=false, reads keys by name, and tracks screens and the cursor', async () => {
		const t = await startTerminal({command: process.execPath, args: ['-e', PROGRAM], cols: 60, rows: 10});
		await t.waitForText('ready 60x10 false xterm-256color');
		expect(t.screen()).toHaveLength(10);

		t.key('ctrl+c');
		await t.waitForText('got "\\u0003"');
		t.key('shift+tab');
		await t.waitForText('got "\\u001b[Z"');
		t.press('hello');
		await t.waitForText('got "hello"');
		expect(t.bytesWritten).toBeGreaterThan(0);
		t.resetBytes();
		expect(t.bytesWritten).toBe(0);

		expect(t.isAlternateScreen()).toBe(false);
		expect(t.isCursorVisible()).toBe(true);
		t.press('A');
		await t.waitForText('ALT SCREEN');
		expect(t.isAlternateScreen()).toBe(true);
		expect(t.isCursorVisible()).toBe(false);
		t.press('N');
		await t.waitFor(() => !t.isAlternateScreen());
		expect(t.isCursorVisible()).toBe(true);
		expect(t.bytesWritten).toBeGreaterThan(0);

		assertFitsWidth(t);
		t.press('W');
		await t.waitForText('xxxxxxxxxx');
		expect(t.wrappedRows().length).toBe(1);
		expect(() => {
			assertFitsWidth(t);
		}).toThrow(/wider than the terminal/);

		t.resize(70, 12);
		await t.waitForText('size 70x12');
		expect(t.screen()).toHaveLength(12);

		t.press('Q');
		expect(await t.waitForExit()).toEqual({exitCode: 3, signal: undefined});
	});

	it('rejects with the screen when the text never appears, and kills on request', async () => {
		const t = await startTerminal({command: process.execPath, args: ['-e', PROGRAM]});
		await t.waitForText('ready 80x24');
		await expect(t.waitForText('never shown', {timeout: 300})).rejects.toThrow(/within 300 ms. Screen:\n\|ready 80x24/);
		t.kill('SIGKILL');
		const exit = await t.waitForExit();
		expect(exit.signal).toBe(9);
	});

	it('maps key names to the bytes a terminal sends', () => {
		expect(keySequence('enter')).toBe('\r');
		expect(keySequence('esc')).toBe('\u001B');
		expect(keySequence('up')).toBe('\u001B[A');
		expect(keySequence('up', true)).toBe('\u001BOA');
		expect(keySequence('ctrl+a')).toBe('\u0001');
		expect(keySequence('alt+x')).toBe('\u001Bx');
		expect(keySequence('q')).toBe('q');
		expect(() => keySequence('hyper+q')).toThrow(/Unknown key/);
	});
});
