import {spawn, type ChildProcess} from 'node:child_process';
import {mkdir, mkdtemp, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {runCws} from '../cli/run-cws.js';
import {assertFitsWidth, startCws, useCwsCleanup, type CwsTerminal} from '../helpers/pty.js';

useCwsCleanup();

const children: ChildProcess[] = [];
const dirs: string[] = [];

afterEach(async () => {
	for (const child of children.splice(0)) {
		try {
			// Detached: each leads its own group.
			process.kill(-child.pid!, 'SIGKILL');
		} catch {
			// Already gone: the test stopped it.
		}
	}

	await Promise.all(dirs.splice(0).map(async dir => rm(dir, {recursive: true, force: true})));
});

const alive = (pid: number): boolean => {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
};

/** A detached `sleep` working in `cwd`, killed after the test whatever happens. */
function sleeper(cwd: string, seconds: string): number {
	const child = spawn('sleep', [seconds], {cwd, stdio: 'ignore', detached: true});
	children.push(child);
	return child.pid!;
}

/** Rows of the process pane (the lower right box) that mention `pid`. */
const paneRows = (screen: string[], pid: number): string[] =>
	screen.slice(14, 22).filter(line => new RegExp(`║[ ▶⊘≡]+ +${pid} `).test(line));

/** Moves the selection down until the row of `pid` is selected. */
async function select(t: CwsTerminal, pid: number): Promise<void> {
	for (let step = 0; step < 10; step++) {
		if (paneRows(t.screen(), pid).some(line => line.includes(`▶`))) return;
		t.press('j');
		await new Promise(resolve => setTimeout(resolve, 100));
	}

	throw new Error(`pid ${pid} never selected:\n${t.text()}`);
}

describe('process pane end to end (80×24)', () => {
	it('lists a workspace process under its project, stops it through the confirmation, and cannot stop a protected one', async () => {
		const home = await mkdtemp(path.join(os.tmpdir(), 'cws-e2e-proc-'));
		dirs.push(home);
		const workspace = path.join(home, 'ws');
		expect((await runCws(['init', workspace], {home})).code).toBe(0);
		const project = path.join(workspace, 'active', 'web');
		await mkdir(project, {recursive: true});
		const rule = await runCws(['whitelist', 'add', '--cmdline', '^sleep 3042$', '--reason', 'e2e keeper', '--workspace', workspace, '--json'], {home});
		expect(rule.code, rule.stderr).toBe(0);
		const ruleId = String((JSON.parse(rule.stdout) as {rule: {id: string}}).rule.id);
		const victim = sleeper(project, '3041');
		const keeper = sleeper(project, '3042');

		const t = await startCws({workspace});
		await t.waitForText('Stage board', {timeout: 15_000});
		t.press('3');
		let screen = await t.waitFor(lines => paneRows(lines, victim).length > 0 && paneRows(lines, keeper).length > 0, {message: 'both sleepers listed'});
		assertFitsWidth(t);
		expect(screen[14]).toContain('╔═ ▶ 3 Processes · 2 workspace');
		// Listed under their project, the protected one marked.
		expect(paneRows(screen, victim)[0]).toMatch(new RegExp(`${victim} +0\\.0 web +sleep 3041`));
		expect(paneRows(screen, keeper)[0]).toMatch(new RegExp(`⊘ +${keeper} +0\\.0 web +sleep 3042`));

		await select(t, victim);
		t.press('x');
		screen = await t.waitForText(`Stop sleep (pid ${victim})?`);
		assertFitsWidth(t);
		const dialog = screen.join('\n');
		expect(dialog).toContain('Project:  active/web');
		expect(dialog).toContain('Command:  sleep 3041');
		expect(dialog).toContain(`User:     ${os.userInfo().username}`);
		t.press('y');
		await t.waitFor(lines => paneRows(lines, victim).length === 0 && lines.some(line => line.includes('3 Processes · 1 workspace')), {message: 'the stopped process leaves the pane'});
		await t.waitForText(`stopped pid ${victim}`);
		expect(alive(victim)).toBe(false);
		assertFitsWidth(t);

		await select(t, keeper);
		screen = await t.waitForText(`⊘ rule ${ruleId}: e2e keeper`);
		t.press('x');
		screen = await t.waitForText(`protected by rule ${ruleId}`);
		assertFitsWidth(t);
		expect(screen.join('\n')).not.toContain('Stop sleep (pid');
		await new Promise(resolve => setTimeout(resolve, 500));
		expect(alive(keeper)).toBe(true);
		expect(paneRows(t.screen(), keeper)).toHaveLength(1);
	});
});
