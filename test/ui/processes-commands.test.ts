import {spawn, type ChildProcess} from 'node:child_process';
import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {cleanupBody} from '../../source/commands/processes-cleanup.js';
import {buildRegistry} from '../../source/commands/registry.js';
import type {ShellServices} from '../../source/commands/types.js';
import {CommandLog} from '../../source/core/command-log.js';
import {workspacePaths} from '../../source/core/paths.js';
import {planFromEntries, type ProcessEntry} from '../../source/core/processes/index.js';
import {ShutdownRegistry} from '../../source/core/shutdown.js';
import {Store} from '../../source/core/store.js';
import {ShellController} from '../../source/ui/controller.js';
import {PANES} from '../../source/ui/panes/index.js';
import {parseExitPolicy, readExitPolicy} from '../../source/ui/panes/processes/exit-policy.js';
import type {ProcessesAction, ProcessesState} from '../../source/ui/panes/processes/state.js';
import {processFeedFor} from '../../source/ui/shared/process-feed.js';

const children: ChildProcess[] = [];
const controllers: ShellController[] = [];
const dirs: string[] = [];

afterEach(async () => {
	for (const controller of controllers.splice(0)) controller.stop();
	for (const child of children.splice(0)) child.kill('SIGKILL');
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

async function until(check: () => boolean, what: string, ms = 8000): Promise<void> {
	const end = Date.now() + ms;
	while (!check()) {
		if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
		await new Promise(resolve => setTimeout(resolve, 20));
	}
}

async function shellWithSleeper(seconds: string) {
	const root = await mkdtemp(path.join(os.tmpdir(), 'cws-proc-ui-'));
	dirs.push(root);
	const paths = workspacePaths(root);
	await mkdir(paths.meta, {recursive: true, mode: 0o700});
	const project = path.join(root, 'active', 'web');
	await mkdir(project, {recursive: true});
	const child = spawn('sleep', [seconds], {cwd: project, stdio: 'ignore', detached: true});
	children.push(child);
	const services: ShellServices = {paths, store: new Store(paths.meta), env: {}, session: {id: 'test', touch() {}}, commandLog: new CommandLog(), shutdown: new ShutdownRegistry()};
	const controller = new ShellController({registry: buildRegistry(), panes: PANES, services});
	controllers.push(controller);
	controller.start();
	const pane = () => controller.getState().panes.processes as ProcessesState;
	await until(() => pane().rows.some(row => row.pid === child.pid), 'the sleeper is listed');
	controller.dispatch({type: 'focus', pane: 'processes'});
	const run = (id: string) => controller.execute(controller.registry.byId.get(id)!);
	const top = () => controller.getState().overlays.at(-1);
	const toasts = () => controller.getState().toasts.map(toast => `${toast.level}: ${toast.text}`);
	return {root, paths, services, controller, child, pid: child.pid!, pane, run, top, toasts};
}

describe('process commands', () => {
	it('stop asks first (rows held still while it asks), a no keeps the process, a yes stops it and it leaves the list', async () => {
		const shell = await shellWithSleeper('4201');
		expect(shell.pane().rows.find(row => row.pid === shell.pid)?.project).toBe('active/web');
		shell.run('processes.stop');
		await until(() => shell.top()?.kind === 'confirm', 'the confirmation opens');
		const confirm = shell.top();
		if (confirm?.kind !== 'confirm') throw new Error('no confirmation');
		expect(confirm.intent.title).toBe(`Stop sleep (pid ${shell.pid})?`);
		expect(confirm.intent.body).toEqual(expect.arrayContaining(['Name:     sleep', 'User:     root'.replace('root', os.userInfo().username), 'Project:  active/web', 'Command:  sleep 4201']));
		expect(shell.pane().frozen).toBe(true);

		shell.run('confirm.no');
		await until(() => !shell.pane().frozen, 'declining releases the rows');
		expect(alive(shell.pid)).toBe(true);

		shell.run('processes.stop');
		await until(() => shell.top()?.kind === 'confirm', 'the confirmation opens again');
		shell.run('confirm.yes');
		await until(() => !alive(shell.pid) && !shell.pane().frozen, 'the process is stopped');
		await until(() => !shell.pane().rows.some(row => row.pid === shell.pid), 'it leaves the list');
		expect(shell.toasts().join('\n')).toMatch(new RegExp(`success: stopped pid ${shell.pid} \\(SIGTERM`));
		const audit = await import('node:fs/promises').then(async fs => fs.readFile(shell.paths.audit, 'utf8'));
		expect(audit).toContain('"requestedBy":"tui"');
	});

	it('a protected process cannot be stopped: the reason names the rule', async () => {
		const shell = await shellWithSleeper('4202');
		const feed = processFeedFor(shell.services);
		const {rule} = await feed.control.addRule({kind: 'cmdline', value: '^sleep 4202$', reason: 'test keeper'});
		await feed.refresh();
		await until(() => shell.pane().rows.some(row => row.pid === shell.pid && row.protection.protected), 'the rule shows');
		shell.run('processes.stop');
		expect(shell.top()).toBeUndefined();
		expect(shell.toasts().join('\n')).toContain(`warning: Stop process: protected by rule ${rule.id}: test keeper`);
		await new Promise(resolve => setTimeout(resolve, 300));
		expect(alive(shell.pid)).toBe(true);
	});

	it('protect shows the rule before saving it; unprotect shows the rule it removes', async () => {
		const shell = await shellWithSleeper('4203');
		shell.run('processes.protect');
		await until(() => shell.top()?.kind === 'confirm', 'the confirmation opens');
		let confirm = shell.top();
		if (confirm?.kind !== 'confirm') throw new Error('no confirmation');
		expect(confirm.intent.body?.join('\n')).toMatch(/Adds this rule to \.cws\/whitelist\.json:\n {2}exe \/\S*sleep/);
		shell.run('confirm.yes');
		await until(() => shell.pane().rows.some(row => row.pid === shell.pid && row.protection.protected) && !shell.pane().frozen, 'protected');
		shell.run('processes.protect');
		await until(() => shell.top()?.kind === 'confirm', 'the second confirmation opens');
		confirm = shell.top();
		if (confirm?.kind !== 'confirm') throw new Error('no confirmation');
		expect(confirm.intent.title).toBe(`Unprotect sleep (pid ${shell.pid})?`);
		expect(confirm.intent.body?.join('\n')).toMatch(/Removes this rule from \.cws\/whitelist\.json:\n {2}r-\w+ {2}exe /);
		shell.run('confirm.yes');
		await until(() => shell.pane().rows.some(row => row.pid === shell.pid && !row.protection.protected), 'unprotected');
	});

	it('a process outside the workspace (all of mine) is stopped only after its pid is typed', async () => {
		const shell = await shellWithSleeper('4208');
		const outside = spawn('sleep', ['4209'], {cwd: os.tmpdir(), stdio: 'ignore', detached: true});
		children.push(outside);
		processFeedFor(shell.services).setScope('mine');
		const filter: ProcessesAction = {type: 'filter', text: 'sleep 4209'};
		shell.controller.dispatch({type: 'pane', pane: 'processes', action: filter});
		await until(() => shell.pane().rows.length === 1 && shell.pane().rows[0]?.pid === outside.pid, 'the outsider is listed alone');
		const type = (text: string) => {
			for (const ch of text) shell.controller.handlePress({name: ch, text: ch});
		};

		shell.run('processes.stop');
		await until(() => shell.top()?.kind === 'prompt', 'the pid is asked for');
		type('4209');
		shell.run('prompt.submit');
		await until(() => shell.toasts().some(toast => toast.includes('needs its pid typed')), 'a wrong answer is refused');
		expect(alive(outside.pid!)).toBe(true);

		shell.run('processes.stop');
		await until(() => shell.top()?.kind === 'prompt', 'asked again');
		type(String(outside.pid));
		shell.run('prompt.submit');
		await until(() => !alive(outside.pid!), 'the typed pid stops it');
		expect(alive(shell.pid)).toBe(true);
	});

	it('cleanup lists every process it would stop and the protected ones it skips, in one confirmation', async () => {
		const shell = await shellWithSleeper('4204');
		const keeper = spawn('sleep', ['4205'], {cwd: path.join(shell.root, 'active', 'web'), stdio: 'ignore', detached: true});
		children.push(keeper);
		const feed = processFeedFor(shell.services);
		await feed.control.addRule({kind: 'cmdline', value: '^sleep 4205$', reason: 'keep me'});
		await feed.refresh();
		shell.run('processes.cleanup');
		await until(() => shell.top()?.kind === 'confirm', 'the confirmation opens');
		const confirm = shell.top();
		if (confirm?.kind !== 'confirm') throw new Error('no confirmation');
		const body = confirm.intent.body!.join('\n');
		expect(body).toContain(`active/web: sleep ${shell.pid}`);
		expect(body).toMatch(new RegExp(`Skips 1 protected: sleep ${keeper.pid} \\(rule r-\\w+: keep me\\)`));
		shell.run('confirm.yes');
		await until(() => !alive(shell.pid), 'the unprotected one is stopped');
		expect(alive(keeper.pid!)).toBe(true);
	});
});

describe('cleanup confirmation text', () => {
	const entry = (pid: number, name: string, project: string | null, fields: Partial<ProcessEntry> = {}): ProcessEntry => ({
		pid, ppid: 1, pgid: pid, uid: 0, user: 'dev', startTime: pid, startedAt: 0, state: 'S', comm: name, argv: [name], command: name, name,
		exe: `/usr/bin/${name}`, exeDeleted: false, cwd: '/ws', rssBytes: 0, cpuTicks: 0, cpuPercent: 0, inWorkspace: true, project,
		stage: project === null ? null : 'active', protection: {protected: false, reasons: []}, groupSize: 0, ...fields,
	});

	it('names every process per project, equal names once, with the protected ones and why', () => {
		const vim = {protected: true, reasons: [{source: 'rule' as const, ruleId: 'default-editor-vim', text: 'rule default-editor-vim: editor (vim)'}]};
		const plan = planFromEntries([
			entry(10, 'sleep', 'active/web'), entry(11, 'sleep', 'active/web'), entry(12, 'node', 'active/web'),
			entry(20, 'python', 'sandbox/api'), entry(30, 'vim', 'active/web', {protection: vim}), entry(31, 'vim', 'sandbox/api', {protection: vim}),
		], 0);
		expect(cleanupBody(plan)).toEqual([
			'Stops 4 processes (SIGTERM, SIGKILL after 5 s):',
			'active/web: node 12, sleep 10 11',
			'sandbox/api: python 20',
			'Skips 2 protected: vim 30 31 (rule default-editor-vim: editor (vim))',
		]);
	});

	it('fits 80×24 with 920 processes and counts the ones it cannot show', () => {
		const plan = planFromEntries(Array.from({length: 920}, (_, index) => entry(10_000 + index, 'sleep', 'active/web')), 0);
		const lines = cleanupBody(plan);
		const rows = lines.reduce((sum, line) => sum + Math.ceil(line.length / 76), 0);
		expect(rows).toBeLessThanOrEqual(15);
		const shown = lines.join(' ').match(/\b1\d{4}\b/g)!.length;
		const more = Number(/… and (\d+) processes more/.exec(lines.at(-1)!)?.[1]);
		expect(shown + more).toBe(920);
	});
});

describe('cexit policy (config.json "processes")', () => {
	it('defaults to asking; accepts leave, stages and a grace time; refuses anything else naming the field', () => {
		expect(parseExitPolicy(undefined)).toEqual({onExit: 'ask', stages: undefined, graceMs: 5000});
		expect(parseExitPolicy({onExit: 'leave', stages: ['sandbox'], graceSeconds: 2})).toEqual({onExit: 'leave', stages: ['sandbox'], graceMs: 2000});
		expect(() => parseExitPolicy({onExit: 'kill'})).toThrow('processes.onExit');
		expect(() => parseExitPolicy({stages: ['prod']})).toThrow('processes.stages');
		expect(() => parseExitPolicy({graceSeconds: -1})).toThrow('processes.graceSeconds');
	});

	it('cexit follows the policy: leave says so and stops nothing; a broken section is shown and the default asks', async () => {
		const shell = await shellWithSleeper('4206');
		const participant = shell.services.shutdown.participants().find(item => item.name === 'workspace processes');
		expect(participant).toBeDefined();
		const steps = await participant!.plan({mode: 'interactive', force: false});
		expect(steps[0]?.question?.id).toBe('processes.stop');
		expect(steps[0]?.details?.join('\n')).toContain(`sleep (pid ${shell.pid}`);

		// What cexit prints after the interface is gone is escaped like everything else.
		const odd = spawn('bash', ['-c', 'exec -a "$0" sleep 4210', '\u001B[2Jodd'], {cwd: path.join(shell.root, 'active', 'web'), stdio: 'ignore', detached: true});
		children.push(odd);
		await until(() => processFeedFor(shell.services).getSnapshot().entries.some(entry => entry.pid === odd.pid && entry.command.startsWith('\u001B')), 'the odd one is listed');
		const withOdd = await participant!.plan({mode: 'interactive', force: false});
		expect(withOdd[0]?.details?.join('\n')).toContain('\\e[2Jodd 4210');
		const summary = await participant!.run({mode: 'interactive', force: false, answers: new Map([['processes.stop', 'stop']]), signal: new AbortController().signal, report() {}});
		expect(summary?.join('\n')).toContain('\\e[2Jodd 4210');
		expect(summary?.join('\n')).not.toContain('\u001B');
		expect(alive(odd.pid!)).toBe(false);

		const survivor = spawn('sleep', ['4211'], {cwd: path.join(shell.root, 'active', 'web'), stdio: 'ignore', detached: true});
		children.push(survivor);
		await writeFile(shell.paths.config, JSON.stringify({sync: {}, processes: {onExit: 'leave'}}));
		expect((await readExitPolicy(shell.paths, shell.services.store)).onExit).toBe('leave');
		const leave = await participant!.plan({mode: 'interactive', force: false});
		expect(leave).toEqual([expect.objectContaining({title: expect.stringContaining('Leave workspace processes running')})]);
		await participant!.run({mode: 'interactive', force: false, answers: new Map([['processes.stop', 'stop']]), signal: new AbortController().signal, report() {}});
		expect(alive(survivor.pid!)).toBe(true);

		await writeFile(shell.paths.config, JSON.stringify({processes: {onExit: 'always'}}));
		const broken = await participant!.plan({mode: 'interactive', force: false});
		expect(broken[0]?.title).toContain('processes.onExit must be "ask" or "leave"');
		expect(broken[1]?.question?.id).toBe('processes.stop');
	});
});
