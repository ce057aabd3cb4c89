import {execFile} from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {promisify} from 'node:util';
import {describe, expect, it} from 'vitest';
import type {BoardWorkspace} from '../../source/core/board/index.js';
import {boardStateSpec} from '../../source/core/board/schema.js';
import {PASSING, git, makeProject, makeWorkspace, whereIs} from '../core/board/helpers.js';
import {assertFitsWidth, startCws, useCwsCleanup, type CwsTerminal} from '../helpers/pty.js';

useCwsCleanup();

const run = promisify(execFile);
/** At 80×24 the board's inside is 76 columns: four columns of 19, after "║ ". */
const COLUMN = 19;

/** A workspace with two plain Sandbox folders and two Active repositories (tests pass; charlie has uncommitted work). */
async function fixture(): Promise<BoardWorkspace> {
	const parent = await fs.mkdtemp(path.join(os.tmpdir(), 'cws-board-e2e-'));
	const ws = await makeWorkspace(path.join(parent, 'ws'));
	await makeProject(ws, 'sandbox', 'alpha', {'notes.md': 'x\n'}, {git: false});
	await makeProject(ws, 'sandbox', 'bravo', {'notes.md': 'y\n'}, {git: false});
	await makeProject(ws, 'active', 'charlie', PASSING);
	await fs.writeFile(path.join(ws.paths.stageDir.active, 'charlie', 'wip.txt'), 'half done\n');
	await makeProject(ws, 'active', 'delta', PASSING);
	return ws;
}

/** The text of board column `column` (0-3) in screen row `row`. */
function cell(screen: string[], row: number, column: number): string {
	return (screen[row] ?? '').slice(2 + (column * COLUMN), 2 + ((column + 1) * COLUMN));
}

/** Where a card is on the board: its column, and whether it carries the selection marker. Undefined when not shown. */
function findCard(screen: string[], name: string): {column: number; row: number; selected: boolean} | undefined {
	for (let row = 2; row < 13; row++) {
		for (let column = 0; column < 4; column++) {
			const text = cell(screen, row, column).trimEnd();
			const match = /^(▶ | {2})([a-z0-9._-]+)/.exec(text);
			if (match?.[2] === name) return {column, row, selected: match[1] === '▶ '};
		}
	}

	return undefined;
}

/** "Sandbox (2)" etc. from the heading row. */
function headings(screen: string[]): string[] {
	return [0, 1, 2, 3].map(column => cell(screen, 1, column).trim());
}

async function open(ws: BoardWorkspace): Promise<CwsTerminal> {
	const t = await startCws({workspace: ws.paths.root});
	await t.waitFor(screen => findCard(screen, 'delta') !== undefined, {timeout: 15_000, message: 'the board lists the fixture'});
	return t;
}

/** Waits for `predicate` and returns how long it took. */
async function timed(t: CwsTerminal, predicate: (screen: string[]) => boolean, message: string, timeout: number): Promise<number> {
	const started = performance.now();
	await t.waitFor(predicate, {timeout, message});
	return performance.now() - started;
}

describe('the stage board at 80×24', () => {
	it('shows the fixture workspace in four columns, and a promotion by key moves the folder and the selection with it', async () => {
		const ws = await fixture();
		const t = await open(ws);
		let screen = t.screen();
		expect(headings(screen)).toEqual(['Sandbox (2)', 'Active (2)', 'Stable (0)', 'Public (0)']);
		expect(findCard(screen, 'alpha')).toMatchObject({column: 0, selected: true});
		expect(findCard(screen, 'charlie')).toMatchObject({column: 1, selected: false});
		// Git state arrives right after the first listing: the dirty repository is marked.
		screen = await t.waitFor(lines => lines.some(line => /charlie/.test(line)) && cell(lines, findCard(lines, 'charlie')!.row + 1, 1).includes('main*'), {message: 'charlie shows main*'});
		expect(cell(screen, findCard(screen, 'delta')!.row + 1, 1)).toMatch(/^ {2}main /);
		assertFitsWidth(t);

		t.press('>');
		screen = await t.waitFor(lines => findCard(lines, 'alpha')?.column === 1, {message: 'alpha in Active'});
		expect(findCard(screen, 'alpha')).toMatchObject({column: 1, selected: true});
		expect(headings(screen)).toEqual(['Sandbox (1)', 'Active (3)', 'Stable (0)', 'Public (0)']);
		await t.waitForText('Moved alpha: sandbox → active');
		expect(await whereIs(ws, 'alpha')).toEqual(['active']);
		const {data} = await ws.store.read(boardStateSpec);
		expect(data.projects['alpha']!.history.at(-1)).toMatchObject({from: 'sandbox', to: 'active', forced: false, by: 'tui'});
		assertFitsWidth(t);

		// Back with <, and the selection stays on it.
		t.press('<');
		screen = await t.waitFor(lines => findCard(lines, 'alpha')?.column === 0, {message: 'alpha back in Sandbox'});
		expect(findCard(screen, 'alpha')?.selected).toBe(true);
		expect(await whereIs(ws, 'alpha')).toEqual(['sandbox']);

		// Narrower than 80 columns: the focused column alone, with arrows to the others.
		t.resize(70, 24);
		screen = await t.waitForText('Sandbox (2) ›');
		expect(screen[1]).toMatch(/Active 2 · Stable 0 · Public 0/);
		t.press('l');
		screen = await t.waitForText('‹ Active (2) ›');
		expect(screen.join('\n')).toContain('▶ charlie');
		assertFitsWidth(t);
	});

	it('a failing gate lists its reasons and moves nothing until confirmed; confirming forces the move into history', async () => {
		const ws = await fixture();
		const t = await open(ws);
		t.press('l');
		await t.waitFor(lines => findCard(lines, 'charlie')?.selected === true, {message: 'charlie selected'});
		t.press('>');
		let screen = await t.waitForText('cannot move to stable');
		let text = screen.join('\n');
		expect(text).toContain('✗ Clean working tree: 1 uncommitted change');
		expect(text).toContain('✓ passed: Git repository, Tests pass');
		expect(text).toMatch(/anyway\?/);
		await new Promise(resolve => setTimeout(resolve, 400));
		expect(await whereIs(ws, 'charlie')).toEqual(['active']);

		// No: nothing moves.
		t.press('n');
		screen = await t.waitFor(lines => findCard(lines, 'charlie')?.selected === true, {message: 'back on the board'});
		await new Promise(resolve => setTimeout(resolve, 1200));
		expect(findCard(t.screen(), 'charlie')?.column).toBe(1);
		expect(await whereIs(ws, 'charlie')).toEqual(['active']);

		// Yes: forced, recorded as such, the card and the selection in Stable.
		t.press('>');
		await t.waitForText('cannot move to stable');
		t.press('y');
		screen = await t.waitFor(lines => findCard(lines, 'charlie')?.column === 2, {message: 'charlie in Stable'});
		expect(findCard(screen, 'charlie')?.selected).toBe(true);
		await t.waitForText('Moved charlie: active → stable (forced past 1 failed gate)');
		expect(await whereIs(ws, 'charlie')).toEqual(['stable']);
		const {data} = await ws.store.read(boardStateSpec);
		expect(data.projects['charlie']!.history.at(-1)).toMatchObject({from: 'active', to: 'stable', forced: true, failedGates: ['clean-tree'], by: 'tui'});
		assertFitsWidth(t);
	});

	it('shows changes made by other processes within 2 s, without a key: a new folder, an mv between stages, a git commit', async () => {
		const ws = await fixture();
		const t = await open(ws);
		await t.waitFor(lines => cell(lines, findCard(lines, 'charlie')!.row + 1, 1).includes('main*'), {message: 'charlie dirty'});

		await fs.mkdir(path.join(ws.paths.stageDir.sandbox, 'echo'));
		const created = await timed(t, lines => findCard(lines, 'echo')?.column === 0, 'echo appears in Sandbox', 2000);

		await run('mv', [path.join(ws.paths.stageDir.active, 'delta'), path.join(ws.paths.stageDir.stable, 'delta')]);
		const moved = await timed(t, lines => findCard(lines, 'delta')?.column === 2, 'delta appears in Stable', 2000);
		expect(headings(t.screen())).toEqual(['Sandbox (3)', 'Active (1)', 'Stable (1)', 'Public (0)']);

		const charlie = path.join(ws.paths.stageDir.active, 'charlie');
		await git(charlie, 'add', '-A');
		await git(charlie, 'commit', '-q', '-m', 'finish the work');
		const committed = await timed(t, lines => /^ {2}main /.test(cell(lines, findCard(lines, 'charlie')!.row + 1, 1)), 'charlie clean after the commit', 2000);
		console.info(`on screen after: mkdir ${Math.round(created)} ms, mv ${Math.round(moved)} ms, git commit ${Math.round(committed)} ms`);
		assertFitsWidth(t);
	});

	it('draws a folder named with an escape sequence escaped, never raw', async () => {
		const ws = await fixture();
		const evil = '\u001B[31mevil\u0007';
		await fs.mkdir(path.join(ws.paths.stageDir.sandbox, evil));
		const t = await open(ws);
		let screen = await t.waitForText('\\e[31mevil\\x07');
		expect(screen.join('\n')).toContain('1 problem');
		t.press('!');
		screen = await t.waitForText('Workspace problems');
		expect(screen.join('\n')).toContain('sandbox/\\e[31mevil\\x07: folder name not allowed');
		expect(t.output()).not.toContain(evil);
		expect(t.output()).not.toContain('\u0007');
		assertFitsWidth(t);
	});
});
