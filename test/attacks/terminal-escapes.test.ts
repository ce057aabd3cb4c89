/**
 * Attack: escape sequences and control bytes in data cws shows: a project
 * folder named `x\x1b]0;pwned\x07y` (created on disk, as a user can), notes
 * with CSI, OSC, DCS, C1 (U+009B), BEL and backspace, and a job whose
 * command log holds escapes printed by a fake git. In the full-screen
 * interface (a real pseudo-terminal) and in the CLI (a terminal, or a pipe)
 * none of those bytes reaches the terminal raw: the window title is never
 * set and the text is shown escaped. `--json` still parses to the exact data.
 */
import {chmod, mkdir, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {startCws, startTerminal, useCwsCleanup} from '../helpers/pty.js';
import {tempDirs} from '../helpers/tmp.js';
import {CLI_PATH, cws} from './helpers.js';

useCwsCleanup();
const dirs = tempDirs('attack-esc');
afterAll(async () => dirs.cleanupAll());

const EVIL_NAME = 'x\u001B]0;pwned\u0007y';
const EVIL_NOTE = 'n\u001B[2J\u001B]2;pwned\u001B\\\u001BP1;2q\u001B\\\u009B31m\u0007\b\bz';
const GIT_OUTPUT = 'git says \u001B]0;pwned\u0007 \u001B[2J \u009B1;1H done';

/** Raw bytes a terminal would act on that only the data holds: OSC title, BEL, DCS, C1 CSI, clear screen. */
function expectNoRawData(raw: string, where: string): void {
	expect(raw, `${where}: window title set`).not.toMatch(/\u001B\][012];/);
	expect(raw, `${where}: OSC`).not.toMatch(/\u001B\]/);
	expect(raw, `${where}: BEL`).not.toContain('\u0007');
	expect(raw, `${where}: DCS`).not.toMatch(/\u001BP/);
	expect(raw, `${where}: C1`).not.toMatch(/[\u0080-\u009F]/);
	expect(raw, `${where}: backspace`).not.toContain('\b');
	expect(raw, `${where}: the note's clear screen`).not.toContain('n\u001B[2J');
	expect(raw, `${where}: the title text`).not.toMatch(/0;pwned\u0007/);
}

async function setup() {
	const base = await dirs.create();
	const home = path.join(base, 'home');
	const root = path.join(base, 'ws');
	const bin = path.join(base, 'bin');
	await mkdir(home);
	await mkdir(bin);
	expect((await cws(home, root, ['new', 'app', '--stage', 'active'])).code).toBe(0);
	await mkdir(path.join(root, 'sandbox', EVIL_NAME));
	expect((await cws(home, root, ['note', 'app', EVIL_NOTE])).code).toBe(0);
	// A fake git that answers every call with escape sequences on both streams, and fails.
	await writeFile(path.join(bin, 'git'), `#!${process.execPath}\nprocess.stdout.write(${JSON.stringify(GIT_OUTPUT)}); process.stderr.write(${JSON.stringify(GIT_OUTPUT)}); process.exit(1);\n`);
	await chmod(path.join(bin, 'git'), 0o755);
	const env = {PATH: `${bin}:${process.env['PATH'] ?? ''}`};
	await writeFile(path.join(root, '.cws', 'config.json'), JSON.stringify({sync: {stages: {active: {targets: [{name: 'pub', kind: 'export', repo: path.join(base, 'pub.git')}]}}}}), {mode: 0o600});
	const synced = await cws(home, root, ['sync', 'app', '--target', 'pub', '--json'], env);
	expect(synced.code, synced.stderr).toBe(0);
	const job = (JSON.parse(synced.stdout) as {jobs: Array<{id: string}>}).jobs[0]!.id;
	await cws(home, root, ['queue', 'work', '--once'], env);
	return {base, home, root, env, job};
}

describe('escape sequences in names, notes and job logs', () => {
	it('the full-screen interface shows them escaped and never sends them raw; the window title is never set', async () => {
		const {root} = await setup();
		const t = await startCws({workspace: root});
		await t.waitForText('Stage board', {timeout: 20_000});
		await t.waitForText(/app/, {timeout: 20_000});
		// The board's problem line names the folder; details of app show the note; the queue pane shows the job.
		// Each step waits for what it shows, escaped, so a slow machine cannot reorder the keys.
		const shows = (text: string) => (screen: string[]) => screen.join('\n').includes(text);
		await t.waitFor(shows('x\\e]0;pwned\\x07y'), {message: 'the folder name, escaped, on the board'});
		// The selection starts in the empty Sandbox column: move to app in Active.
		t.key('right');
		await t.waitForText('▶ app');
		t.key('enter');
		// `cws note` dropped the C0 controls (ESC, BEL, BS) on the way in; the C1 CSI it keeps is drawn escaped.
		await t.waitFor(shows('n[2J]2;pwned\\P1;2q\\\\x9b31mz'), {timeout: 20_000, message: 'the note, escaped, in the details'});
		t.key('esc');
		await t.waitFor(screen => !shows('x9b31mz')(screen), {message: 'details closed'});
		t.press('2');
		await t.waitForText('▶ 2 Sync queue');
		t.key('enter');
		// The job log draws control characters as their visible pictures (␛, ␇).
		await t.waitFor(shows('git says ␛]0;pwned␇ ␛[2J'), {timeout: 20_000, message: 'the job log, escaped'});
		t.key('esc');
		await t.waitFor(screen => !shows('git says')(screen), {message: 'log closed'});
		t.press('1');
		await t.waitForText('▶ 1 Stage board');
		t.press(':');
		for (const ch of 'cexit') t.press(ch);
		t.key('enter');
		// The project has unsynced work, so cexit may ask about a final sync: leave now.
		await t.waitFor(screen => t.exited() !== undefined || shows('Leave now')(screen), {timeout: 20_000, message: 'cexit ends or asks'});
		if (t.exited() === undefined) {
			t.key('down');
			t.key('enter');
		}

		expect((await t.waitForExit({timeout: 20_000})).exitCode).toBe(0);
		const raw = t.output();
		expectNoRawData(raw, 'interface');
	}, 60_000);

	it('CLI output to a terminal and to a pipe: list, note, queue and queue log show escapes as text; --json parses to the exact note', async () => {
		const {home, root, job} = await setup();
		const commands = [['list'], ['status'], ['note', 'app'], ['queue'], ['queue', 'log', job], ['verify']];
		for (const args of commands) {
			// A pipe.
			const piped = await cws(home, root, args);
			expectNoRawData(piped.stdout + piped.stderr, `cws ${args.join(' ')} | cat`);
			// A terminal.
			const t = await startTerminal({command: process.execPath, args: [CLI_PATH, ...args, '--workspace', root], env: {HOME: home}});
			await t.waitForExit({timeout: 20_000});
			expectNoRawData(t.output(), `cws ${args.join(' ')} in a terminal`);
		}

		const list = await cws(home, root, ['list']);
		expect(list.stdout).toContain('x\\u001b]0;pwned\\u0007y');
		const note = await cws(home, root, ['note', 'app']);
		expect(note.stdout).toMatch(/\\u001b\[2J|\[2J/);
		const log = await cws(home, root, ['queue', 'log', job]);
		expect(log.stdout).toContain('git says');

		const json = await cws(home, root, ['note', 'app', '--json']);
		expectNoRawData(json.stdout, 'note --json');
		const notes = JSON.parse(json.stdout) as Array<{text: string}>;
		const stored = notes[0]!.text;
		// Whatever the note command kept of the text, --json gives it back exactly as `note` stored it.
		expect(stored).toContain('z');
		const again = JSON.parse((await cws(home, root, ['note', 'app', '--json'])).stdout) as Array<{text: string}>;
		expect(again[0]!.text).toBe(stored);
	}, 90_000);
});
