import {describe, expect, it} from 'vitest';
import {assertFitsWidth, startCws, useCwsCleanup} from '../helpers/pty.js';

useCwsCleanup();

/** Deterministic pseudo-random numbers: a failing run can be replayed with its seed. */
function random(seed: number) {
	let state = seed >>> 0;
	return (limit: number) => {
		state = (state * 1_664_525 + 1_013_904_223) >>> 0;
		return Math.floor((state / 2 ** 32) * limit);
	};
}

const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:?@!/ .-_';
const controls = ['\u0003', '\u0004', '\u001C', '\u0007', '\u001A', '\u000C', '\u0018', '\u0015', '\u0017', '\t', '\r', '\u007F', '\u0000', '\u001F'];
const escapes = ['\u001B', '\u001B[A', '\u001B[B', '\u001B[C', '\u001B[D', '\u001B[Z', '\u001B[5~', '\u001B[6~', '\u001B[H', '\u001B[F', '\u001BOA', '\u001B[1;5C', '\u001Bx', '\u001B[3~', '\u001B[', '\u001BO', '\u001B[999;999R', '\u001B[12;40R', '\u001B[I', '\u001B[<0;3;4M'];

function key(next: (limit: number) => number): string {
	const kind = next(100);
	if (kind < 55) return letters[next(letters.length)]!;
	if (kind < 72) return controls[next(controls.length)]!;
	if (kind < 92) return escapes[next(escapes.length)]!;
	// A paste: bracketed or not, with newlines and controls inside.
	let text = '';
	const length = 2 + next(40);
	for (let index = 0; index < length; index++) text += next(8) === 0 ? controls[next(controls.length)]! : letters[next(letters.length)]!;
	return next(2) === 0 ? `\u001B[200~${text}\u001B[201~` : text;
}

describe('keystroke fuzz', () => {
	it('5,000 random keys (letters, controls, escapes, arrows, pastes) neither crash nor end cws', async () => {
		const t = await startCws();
		// The first listing may come after the first frame on a busy machine ('reading the stage folders…'): wait for it.
		const initial = await t.waitFor(lines => lines[0]!.startsWith('╔═ ▶ 1 Stage board') && /^║ Sandbox.*Active.*Stable.*Public/.test(lines[1]!) && lines[23]!.includes(':cexit to leave'), {timeout: 15_000});
		// Where the lower panes start: the same row after any amount of typing.
		const lowerTitle = initial.findIndex(line => line.startsWith('┌─ 2 Sync queue'));
		expect(lowerTitle).toBeGreaterThan(1);
		const next = random(20_261_126);
		const started = Date.now();
		for (let round = 0; round < 10; round++) {
			for (let index = 0; index < 500; index++) {
				t.press(key(next));
				if (index % 25 === 0) await new Promise(resolve => setTimeout(resolve, 5));
			}

			// Between rounds: back to the board (close dialogs, focus 1), and the screen must be
			// a sound frame: nothing too wide, pane contents right under their titles, the
			// status bar in the last row.
			await new Promise(resolve => setTimeout(resolve, 200));
			expect(t.exited(), `ended in round ${round}`).toBeUndefined();
			t.press('\u001B[201~');
			for (let index = 0; index < 3; index++) t.key('ctrl+g');
			t.press('1');
			const screen = await t.waitFor(lines => lines[0]!.startsWith('╔═ ▶ 1 Stage board'), {message: `board focused after round ${round}`});
			const text = `round ${round}:\n${screen.join('\n')}`;
			assertFitsWidth(t);
			expect(screen[1], text).toMatch(/^║ Sandbox.*Active.*Stable.*Public/);
			expect(screen[lowerTitle], text).toMatch(/^┌─ 2 Sync queue.*┌─ 3 Processes/);
			expect(screen[23], text).toContain(':cexit to leave');
		}

		await new Promise(resolve => setTimeout(resolve, 1500));
		expect(t.exited()).toBeUndefined();
		expect(Date.now() - started).toBeLessThan(45_000);
		// Still answering: close whatever is open, then the board and the way out are there.
		for (let index = 0; index < 4; index++) {
			t.key('ctrl+g');
			await new Promise(resolve => setTimeout(resolve, 100));
		}

		t.press('1');
		await t.waitForText('╔═ ▶ 1 Stage board');
		assertFitsWidth(t);
		// cexit! : the keys may have queued work that a plain cexit would ask about.
		t.press(':');
		for (const ch of 'cexit!') t.press(ch);
		t.key('enter');
		expect(await t.waitForExit({timeout: 10_000})).toEqual({exitCode: 0, signal: undefined});
		expect(t.isAlternateScreen()).toBe(false);
	});
});
