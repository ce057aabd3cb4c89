import {afterEach, describe, expect, it} from 'vitest';
import {renderShell, tick} from './render-shell.js';

let shell: Awaited<ReturnType<typeof renderShell>> | undefined;

afterEach(() => {
	shell?.dispose();
	shell = undefined;
});

const ESC = '\u001B';

describe('the shell', () => {
	it('shows the three panes, their summaries, and how to leave', async () => {
		shell = await renderShell({items: ['alpha', 'beta']});
		const frame = shell.frame();
		expect(frame).toContain('1 Stage board · 2 items');
		expect(frame).toContain('2 Sync queue · 0 items');
		expect(frame).toContain('3 Processes');
		expect(frame).toContain('Nothing here.');
		expect(frame).toContain(':cexit to leave');
		expect(frame).toContain('▶ alpha');
		expect(frame).toContain('j/↓ move');
	});

	it('sends keys to the focused pane: the selection moves, marked without colour', async () => {
		shell = await renderShell({items: ['alpha', 'beta']});
		await shell.press('j');
		expect(shell.frame()).toContain('▶ beta');
		expect(shell.frame()).not.toContain('▶ alpha');
		await shell.press('\u001B[A');
		expect(shell.frame()).toContain('▶ alpha');
		await shell.press('j');
		// Inverse marks the selection even with colour off.
		expect(shell.rawFrame()).toMatch(/\u001B\[7m▶ beta/);
		// A pane's keys only work where it has focus.
		await shell.press('2');
		await shell.press('k');
		expect(shell.frame()).toContain('▶ beta');
	});

	it('moves focus with Tab, Shift+Tab and 1/2/3, marking the focused pane', async () => {
		shell = await renderShell({items: ['alpha']});
		expect(shell.frame()).toContain('╔═ ▶ 1 Stage board');
		await shell.press('\t');
		expect(shell.frame()).toContain('╔═ ▶ 2 Sync queue');
		expect(shell.frame()).toContain('┌─ 1 Stage board');
		await shell.press('3');
		expect(shell.frame()).toContain('╔═ ▶ 3 Processes');
		await shell.press('\u001B[Z');
		expect(shell.frame()).toContain('╔═ ▶ 2 Sync queue');
		await shell.press('1');
		expect(shell.frame()).toContain('╔═ ▶ 1 Stage board');
		// The content stays right under the title line whatever the focus did.
		const lines = shell.frame().split('\n');
		expect(lines[1]).toMatch(/^║ ▶ alpha/);
		expect(lines.find(line => line.includes('Nothing here.'))).toBe(lines[lines.findIndex(line => line.includes('2 Sync queue')) + 1]);
	});

	it('answers Ctrl+C, Ctrl+D, Ctrl+\\, q, Q, Esc and ZZ with the hint and never asks to shut down', async () => {
		shell = await renderShell();
		for (const key of ['\u0003', '\u0004', '\u001C', 'q', 'Q', ESC, 'Z', 'Z', '\u0007']) {
			await shell.press(key);
			expect(shell.frame(), JSON.stringify(key)).toContain('type :cexit to leave');
		}

		expect(shell.shutdowns).toEqual([]);
	});

	it('shows help built from the command table, filters it by typing, and closes on Esc or Ctrl+G', async () => {
		shell = await renderShell();
		await shell.press('?');
		let frame = shell.frame();
		expect(frame).toContain('Help');
		expect(frame).toContain('Select the next item');
		expect(frame).toContain('Show the log of external commands');
		expect(frame).toContain(':cexit');
		await shell.type('log');
		frame = shell.frame();
		expect(frame).toContain('Show the log of external commands');
		expect(frame).not.toContain('Select the next item');
		await shell.press('q');
		expect(shell.frame()).toContain('filter: logq');
		await shell.press('\u0003');
		expect(shell.frame()).toContain('type :cexit to leave');
		expect(shell.frame()).toContain('filter: logq');
		await shell.press(ESC);
		expect(shell.frame()).toContain('1 Stage board');
		await shell.press('?');
		await shell.press('\u0007');
		expect(shell.frame()).toContain('1 Stage board');
		expect(shell.shutdowns).toEqual([]);
	});

	it('finds cexit in the palette by typing cex; Enter completes it, a second Enter runs it', async () => {
		shell = await renderShell();
		await shell.press(':');
		await shell.type('cex');
		expect(shell.frame()).toMatch(/▶ cexit +Leave cws/);
		await shell.press('\r');
		expect(shell.frame()).toContain(':cexit');
		expect(shell.frame()).toContain('Enter again runs cexit');
		expect(shell.shutdowns).toEqual([]);
		await shell.press('\r');
		expect(shell.shutdowns).toEqual([false]);
	});

	it('runs :cexit! as a forced shutdown, and keeps q, Esc and Ctrl+C from leaving the command line', async () => {
		shell = await renderShell();
		await shell.press(':');
		await shell.type('q');
		await shell.press('\u0003');
		expect(shell.frame()).toContain('type :cexit to leave');
		expect(shell.frame()).toContain(':q');
		await shell.press(ESC);
		expect(shell.frame()).toContain('1 Stage board');
		await shell.press(':');
		await shell.type('cexit!');
		await shell.press('\r');
		expect(shell.shutdowns).toEqual([true]);
	});

	it('lists every external command in the command log', async () => {
		shell = await renderShell();
		await shell.press('@');
		expect(shell.frame()).toContain('No external commands have run yet.');
		const run = shell.commandLog.begin('git', ['push', 'origin', 'main'], {cwd: '/tmp'});
		run.end({exitCode: 0});
		shell.commandLog.begin('rsync', ['-a', 'my dir/', 'host:backup']).end({exitCode: 23});
		await tick();
		const frame = shell.frame();
		expect(frame).toMatch(/exit 0 · \d+ ms +git push origin main/);
		expect(frame).toMatch(/exit 23 · \d+ ms +rsync -a 'my dir\/' host:backup/);
		await shell.press('@');
		expect(shell.frame()).toContain('1 Stage board');
	});

	it('sends a bracketed paste only to a text field, never as keys', async () => {
		shell = await renderShell();
		await shell.press('\u001B[200~:cexit\r\u001B[201~');
		expect(shell.frame()).toContain('pasted text ignored');
		expect(shell.frame()).toContain('1 Stage board');
		await shell.press(':');
		await shell.press('\u001B[200~cexit\r\u001B[201~');
		expect(shell.frame()).toContain(':cexit ');
		expect(shell.shutdowns).toEqual([]);
	});

	it('takes fast typing that arrives in one chunk as separate keys', async () => {
		shell = await renderShell();
		await shell.press(':cexit\r');
		expect(shell.shutdowns).toEqual([false]);
	});

	it('shows a start-up notice until Ctrl+X dismisses it', async () => {
		shell = await renderShell({banner: ['The previous session did not end cleanly.', 'Recovery: nothing to repair.']});
		expect(shell.frame()).toContain('! The previous session did not end cleanly.');
		await shell.press('\u0018');
		expect(shell.frame()).not.toContain('did not end cleanly');
	});

	it('asks for a bigger terminal below 60×16 and comes back when it grows', async () => {
		shell = await renderShell();
		shell.terminal.resize(50, 12);
		await tick();
		expect(shell.frame()).toContain('terminal too small: need 60×16, have 50×12');
		shell.terminal.resize(100, 30);
		await tick();
		expect(shell.frame()).toContain('1 Stage board');
	});

	it('shows a spinner for a command that takes longer than 200 ms, then its result', async () => {
		shell = await renderShell();
		shell.controller.execute({
			id: 'test.slow',
			title: 'Doing something slow',
			group: 'Test',
			scope: 'global',
			keys: [],
			run: async () => {
				await tick(450);
				return {type: 'toast', level: 'success', text: 'slow thing done'};
			},
		});
		await tick(50);
		expect(shell.frame()).not.toContain('Doing something slow');
		await tick(250);
		expect(shell.frame()).toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] Doing something slow…/);
		await tick(300);
		expect(shell.frame()).toContain('✓ slow thing done');
	});

	it('shows an error toast, not a crash, when a command fails', async () => {
		shell = await renderShell();
		shell.controller.execute({
			id: 'test.fail',
			title: 'Failing',
			group: 'Test',
			scope: 'global',
			keys: [],
			run: () => {
				throw new Error('the disk is on fire');
			},
		});
		await tick();
		expect(shell.frame()).toContain('✗ unexpected error: the disk is on fire');
	});

	it('asks before a confirmed action and runs it only on yes', async () => {
		shell = await renderShell();
		let done = 0;
		const ask = () =>
			shell!.controller.apply({type: 'confirm', title: 'Delete everything?', confirmLabel: 'Delete', onConfirm: () => void done++});
		ask();
		await tick();
		expect(shell.frame()).toContain('Delete everything?');
		await shell.press('n');
		expect(done).toBe(0);
		ask();
		await tick();
		await shell.press('y');
		expect(done).toBe(1);
	});

	it('shows read-only details (a project and its notes) until q, Esc or Ctrl+G', async () => {
		shell = await renderShell();
		const lines = Array.from({length: 40}, (_, index) => `note line ${index + 1}`);
		shell.controller.apply({type: 'show', title: 'web · active', lines});
		await tick();
		expect(shell.frame()).toContain('web · active');
		expect(shell.frame()).toContain('note line 1');
		expect(shell.frame()).not.toContain('note line 40');
		await shell.press('\u001B[6~');
		await shell.press('\u001B[6~');
		await shell.press('\u001B[6~');
		await shell.press('\u001B[6~');
		expect(shell.frame()).toContain('note line 40');
		expect(shell.frame()).toContain('40/40');
		await shell.press('q');
		expect(shell.frame()).toContain('1 Stage board');
	});

	it('edits a prompt and hands the text over on Enter', async () => {
		shell = await renderShell();
		const submitted: string[] = [];
		shell.controller.apply({type: 'prompt', title: 'Note for web', initial: 'draft', onSubmit: text => void submitted.push(text)});
		await tick();
		await shell.press('\u007F');
		await shell.type(' 2');
		await shell.press('\r');
		expect(submitted).toEqual(['draf 2']);
	});
});

describe('console output while the shell runs', () => {
	it('becomes a toast instead of text over the frame, and the console comes back afterwards', async () => {
		const {captureConsole} = await import('../../source/ui/console-capture.js');
		const toasts: string[] = [];
		const fake = {log: () => {}, info: () => {}, debug: () => {}, warn: () => {}, error: () => {}} as unknown as Console;
		const original = fake.warn;
		const release = captureConsole((level, text) => toasts.push(`${level}: ${text}`), fake);
		fake.warn('disk at %d%%', 97);
		fake.log({a: 1});
		release();
		expect(toasts).toEqual(['warning: disk at 97%', 'info: { a: 1 }']);
		expect(fake.warn).toBe(original);
	});
});
