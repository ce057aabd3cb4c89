import {mkdir, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {execa} from 'execa';
import {afterEach, describe, expect, it} from 'vitest';
import {projectOfSelection, queueCommands} from '../../source/commands/queue.js';
import {jobDetailLines, terminalSafe, wrapLine} from '../../source/commands/queue-text.js';
import type {CommandContext, Intent, PaneSnapshot, ShellServices} from '../../source/commands/types.js';
import {CommandLog} from '../../source/core/command-log.js';
import {workspacePaths} from '../../source/core/paths.js';
import {DEFAULT_SYNC_CONFIG, listJobs, parseSyncConfig, syncProject, type LogEntry} from '../../source/core/queue/index.js';
import {mutateJob} from '../../source/core/queue/jobs.js';
import {ShutdownRegistry} from '../../source/core/shutdown.js';
import {Store} from '../../source/core/store.js';
import {eventToast} from '../../source/ui/panes/queue/start.js';
import {queuePaneParticipant} from '../../source/ui/panes/queue/shutdown.js';
import {initialQueueState, queueSnapshot, reduceQueue} from '../../source/ui/panes/queue/state.js';
import {job, NOW, snapshotOf} from './queue-fixtures.js';

const roots: string[] = [];
afterEach(async () => {
	await Promise.all(roots.splice(0).map(async root => rm(root, {recursive: true, force: true})));
});

async function services(): Promise<ShellServices> {
	const root = await mkdtemp(path.join(os.tmpdir(), 'cws-queue-ui-'));
	roots.push(root);
	const paths = workspacePaths(root);
	for (const dir of [...Object.values(paths.stageDir), paths.meta]) await mkdir(dir, {recursive: true, mode: 0o700});
	return {paths, store: new Store(paths.meta), env: process.env, session: {id: 'test', touch() {}}, commandLog: new CommandLog(), shutdown: new ShutdownRegistry()};
}

const command = (id: string) => queueCommands.find(item => item.id === id)!;

function context(services: ShellServices, panes: CommandContext['panes'], extra: Partial<CommandContext> = {}): CommandContext {
	return {services, focus: 'queue', overlay: undefined, panes, args: '', bang: false, shuttingDown: false, bannerShown: false, ...extra};
}

/** The queue pane's snapshot with one job of the given kind selected. */
const queueWith = (overrides: Parameters<typeof job>[0]): PaneSnapshot =>
	queueSnapshot(reduceQueue(initialQueueState(), {type: 'snapshot', snapshot: snapshotOf([job(overrides)])}));

const boardWith = (name: string): PaneSnapshot => ({count: 1, selection: {kind: 'project', id: name, label: name, data: {stage: 'active'}}});

async function intents(result: unknown): Promise<Intent[]> {
	const value = (await result) as Intent | Intent[] | undefined;
	return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

describe('queue commands: when they cannot run, they say why', () => {
	it('retry: not while running, waiting or done; yes when failed, dead, conflicting or cancelled', async () => {
		const s = await services();
		const reason = (overrides: Parameters<typeof job>[0]) => command('queue.retry').disabledReason!(context(s, {queue: queueWith(overrides)}));
		expect(reason({state: 'running', attempt: 2})).toBe('it is running (attempt 2/5); x cancels it');
		expect(reason({state: 'pending'})).toBe('it is already waiting for a free worker');
		expect(reason({state: 'done'})).toBe('it is done; s on its board card syncs again');
		for (const state of ['failed', 'dead', 'conflict', 'cancelled'] as const) expect(reason({state})).toBeUndefined();
		expect(command('queue.retry').disabledReason!(context(s, {queue: {count: 0}}))).toBe('no job listed (f changes the filter)');
	});

	it('cancel: not once finished, not twice while stopping; log: needs a job', async () => {
		const s = await services();
		const reason = (overrides: Parameters<typeof job>[0]) => command('queue.cancel').disabledReason!(context(s, {queue: queueWith(overrides)}));
		for (const state of ['done', 'dead', 'conflict', 'cancelled'] as const) expect(reason({state})).toBe(`it is ${state}: nothing to cancel`);
		expect(reason({state: 'running', cancelRequested: true})).toBe('it is already being stopped');
		expect(reason({state: 'running'})).toBeUndefined();
		expect(reason({state: 'failed'})).toBeUndefined();
		expect(command('queue.log').disabledReason!(context(s, {queue: {count: 0}}))).toBeDefined();
		expect(command('queue.log').disabledReason!(context(s, {queue: queueWith({})}))).toBeUndefined();
	});

	it('cancel asks first, and only the confirmation cancels', async () => {
		const s = await services();
		const project = path.join(s.paths.stageDir.active, 'web');
		await mkdir(project);
		await writeFile(path.join(s.paths.config), JSON.stringify({sync: {stages: {active: {targets: [{name: 'copy', kind: 'rsync', dest: path.join(s.paths.root, 'copy')}]}}}}));
		const [sync] = await intents(command('queue.sync').run(context(s, {}, {args: 'web'})));
		expect(sync).toMatchObject({type: 'toast', level: 'success'});
		const listed = (await listJobs(s)).jobs;
		const pane = queueSnapshot(reduceQueue(initialQueueState(), {type: 'snapshot', snapshot: snapshotOf(listed)}));
		const [confirm] = await intents(command('queue.cancel').run(context(s, {queue: pane})));
		expect(confirm).toMatchObject({type: 'confirm', title: 'Cancel web → copy?'});
		expect((await listJobs(s)).jobs[0]!.state).toBe('pending');
		const [done] = await intents((confirm as Extract<Intent, {type: 'confirm'}>).onConfirm());
		expect(done).toMatchObject({type: 'toast', level: 'success'});
		expect((await listJobs(s)).jobs[0]!.state).toBe('cancelled');
		// Now retry can bring it back.
		const after = queueSnapshot(reduceQueue(initialQueueState(), {type: 'snapshot', snapshot: snapshotOf((await listJobs(s)).jobs)}));
		expect(command('queue.retry').disabledReason!(context(s, {queue: after}))).toBeUndefined();
		await intents(command('queue.retry').run(context(s, {queue: after})));
		expect((await listJobs(s)).jobs[0]!.state).toBe('pending');
	});

	it('the filter command refuses an unknown filter name', async () => {
		const s = await services();
		expect(command('queue.filter').disabledReason!(context(s, {}, {args: 'everything'}))).toBe("no filter 'everything': use all, unfinished, problems, done");
		expect(await intents(command('queue.filter').run(context(s, {}, {args: 'problems'})))).toEqual([
			{type: 'pane', pane: 'queue', action: {type: 'filter', filter: 'problems'}},
			{type: 'toast', level: 'info', text: 'showing jobs that need attention (retrying, dead, conflict)'},
		]);
	});
});

describe('s on a board card and :sync', () => {
	it('queues one job per target, names the job ids and selects the first in the queue pane', async () => {
		const s = await services();
		const project = path.join(s.paths.stageDir.stable, 'web');
		await mkdir(project);
		await execa('git', ['init', '-q', '-b', 'main'], {cwd: project});
		await execa('git', ['remote', 'add', 'origin', path.join(s.paths.root, 'nowhere.git')], {cwd: project});
		const result = await intents(command('queue.sync-selected').run(context(s, {board: boardWith('web')}, {focus: 'board'})));
		const {jobs} = await listJobs(s);
		expect(jobs).toHaveLength(1);
		expect(result).toEqual([
			{type: 'toast', level: 'success', text: `sync queued: web → origin [${jobs[0]!.id}]`},
			{type: 'pane', pane: 'queue', action: {type: 'select', id: jobs[0]!.id}},
		]);
		// Again while it waits: the same job, said so.
		const again = await intents(command('queue.sync').run(context(s, {}, {args: 'web'})));
		expect(again[0]).toMatchObject({text: `sync queued: web → origin [${jobs[0]!.id}] already waiting`});
		expect((await listJobs(s)).jobs).toHaveLength(1);
	});

	it('says when a project has nowhere to sync to, and what to configure', async () => {
		const s = await services();
		await mkdir(path.join(s.paths.stageDir.sandbox, 'toy'));
		const result = await intents(command('queue.sync-selected').run(context(s, {board: boardWith('toy')}, {focus: 'board'})));
		expect(result).toEqual([{type: 'toast', level: 'warning', text: 'no sync targets for toy: configure them under "sync" in .cws/config.json (README: Sync configuration)'}]);
		expect((await listJobs(s)).jobs).toHaveLength(0);
	});

	it('is disabled without a project, and reads the project name from the board selection', async () => {
		const s = await services();
		expect(command('queue.sync-selected').disabledReason!(context(s, {board: {count: 0}}, {focus: 'board'}))).toBe('no project selected');
		expect(command('queue.sync').disabledReason!(context(s, {}))).toBe('type :sync <project name> [target]');
		expect(command('queue.sync').disabledReason!(context(s, {board: boardWith('web')}))).toBeUndefined();
		expect(projectOfSelection({kind: 'project', id: 'stable/web'})).toBe('web');
		expect(projectOfSelection({kind: 'project', id: 'x', data: {name: 'web'}})).toBe('web');
		await expect(intents(command('queue.sync').run(context(s, {}, {args: 'a b c'})))).rejects.toThrow(/at most one target/);
	});
});

describe('the job log dialog', () => {
	it('shows the error, how to resolve a conflict and every command, made safe and cut to 76 columns', () => {
		const conflict = job({
			state: 'conflict',
			attempt: 1,
			finishedAt: NOW,
			lastError: {code: 'DIVERGED', message: 'origin/main has commits web does not have', hint: 'Merge them first.'},
			resolution: ['git fetch origin', 'git merge origin/main', 'cws sync web'],
		});
		const log: LogEntry[] = [
			{type: 'state', at: NOW - 2000, attempt: 1, from: 'pending', to: 'running', message: 'started'},
			{
				type: 'command', at: NOW - 1000, attempt: 1, claim: 1, argv: ['git', 'push', '--porcelain', '--', 'origin', 'refs/heads/main:refs/heads/main'], cwd: '/w/stable/web',
				exitCode: 1, signal: undefined, timedOut: false, durationMs: 42, stdoutTail: '', stderrTail: `hint: \u001B[31mred\u001B[0m ${'long '.repeat(40)}\r\nrejected`,
			},
		];
		const lines = jobDetailLines(conflict, log, NOW);
		const text = lines.join('\n');
		expect(text).toContain('To resolve, in the project folder:\n  git fetch origin\n  git merge origin/main');
		expect(text).toContain('Hint: Merge them first.');
		expect(text).toContain('$ git push --porcelain -- origin refs/heads/main:refs/heads/main');
		expect(text).toContain('exit 1 · 42 ms · in /w/stable/web');
		expect(text).toContain('err| hint: ␛[31mred␛[0m');
		expect(text).toContain('err| rejected');
		for (const line of lines) {
			expect([...line].length, line).toBeLessThanOrEqual(76);
			expect(line).not.toMatch(/[\u0000-\u001F\u007F-\u009F]/);
		}
	});

	it('wraps at spaces where it can', () => {
		expect(wrapLine('aaaa bbbb cccc', 10)).toEqual(['aaaa bbbb', '      cccc']);
		expect(wrapLine('x'.repeat(12), 10)).toEqual(['x'.repeat(10), '      xx']);
		expect(terminalSafe('a\tb\u009Bc\u202Ed')).toBe('a    b�c�d');
	});
});

describe('background toasts and cexit', () => {
	it('toasts results and problems of the worker, not its routine steps', () => {
		expect(eventToast({type: 'finished', job: job({state: 'done', result: {message: 'Pushed abc to origin/main.'}})}, NOW)).toEqual({level: 'success', text: 'synced web → origin: Pushed abc to origin/main.'});
		expect(eventToast({type: 'finished', job: job({state: 'failed', attempt: 1, dueAt: NOW + 5000, lastError: {code: 'X', message: 'offline\nmore'}})}, NOW)).toEqual({level: 'warning', text: 'web → origin failed (attempt 1 of 5), retry in 5s: offline'});
		expect(eventToast({type: 'finished', job: job({state: 'conflict'})}, NOW)?.level).toBe('error');
		expect(eventToast({type: 'finished', job: job({state: 'dead', attempt: 5, lastError: {code: 'X', message: 'gone'}})}, NOW)?.text).toContain('gave up after 5 attempts: gone');
		expect(eventToast({type: 'claimed', job: job()}, NOW)).toBeUndefined();
		expect(eventToast({type: 'error', message: 'config.json: bad \u001B[2J'}, NOW)).toEqual({level: 'error', text: 'sync queue: config.json: bad ␛[2J'});
	});

	it('cexit asks about a final sync only when a project has unsynced work, and names it', async () => {
		const s = await services();
		const ws = {paths: s.paths, store: s.store};
		const participant = queuePaneParticipant(ws, {});
		const calm = await participant.plan({mode: 'interactive', force: false});
		expect(calm).toHaveLength(1);
		expect(calm[0]!.question).toBeUndefined();
		expect(calm[0]!.title).toMatch(/No project has a sync target/);

		await mkdir(path.join(s.paths.stageDir.active, 'web'));
		await writeFile(path.join(s.paths.config), JSON.stringify({sync: {stages: {active: {targets: [{name: 'copy', kind: 'rsync', dest: path.join(s.paths.root, 'copy')}]}}}}));
		const asked = await participant.plan({mode: 'interactive', force: false});
		expect(asked[0]!.question?.id).toBe('queue.final-sync');
		expect(asked[0]!.details).toContain('web → copy: never synced');
		// Under a signal nothing is asked.
		expect((await participant.plan({mode: 'signal', force: true}))[0]!.question).toBeUndefined();
	});

	it('a final sync waits for a job already running for that target instead of queuing a second one', async () => {
		const s = await services();
		const ws = {paths: s.paths, store: s.store};
		await mkdir(path.join(s.paths.stageDir.active, 'web'));
		await writeFile(path.join(s.paths.stageDir.active, 'web', 'a.txt'), 'a\n');
		await writeFile(path.join(s.paths.config), JSON.stringify({sync: {stages: {active: {targets: [{name: 'copy', kind: 'rsync', dest: path.join(s.paths.root, 'copy')}]}}}}));
		const {results} = await syncProject(ws, 'web');
		// Another worker holds it (here: one that died, so the final sync's own worker takes it over).
		await mutateJob(ws, results[0]!.job.id, job => ({...job, state: 'running', attempt: 1, startedAt: Date.now()}));
		const participant = queuePaneParticipant(ws, {});
		const abort = new AbortController();
		const timer = setTimeout(() => abort.abort(), 20_000);
		const lines = await participant.run({mode: 'interactive', force: false, answers: new Map([['queue.final-sync', 'sync']]), signal: abort.signal, report() {}});
		clearTimeout(timer);
		const {jobs} = await listJobs(ws);
		expect(jobs.map(job => [job.id, job.state])).toEqual([[results[0]!.job.id, 'done']]);
		expect(lines).toContain('Synced: web → copy.');
	});
});

describe('README: Sync configuration', () => {
	it('gives an example the config parser accepts, and the defaults it states', async () => {
		const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
		const section = readme.slice(readme.indexOf('## Sync configuration'), readme.indexOf('## Keys'));
		const json = /```json\n([\s\S]*?)```/.exec(section)?.[1];
		expect(json).toBeDefined();
		const config = parseSyncConfig((JSON.parse(json!) as {sync: unknown}).sync);
		expect(config.projects['web']?.targets.map(target => target.kind)).toEqual(['git', 'export']);
		const {retry, concurrency, timeoutMs, retention, staleAfterHours} = DEFAULT_SYNC_CONFIG;
		expect({retry, concurrency, timeoutMs, retention, staleAfterHours}).toEqual({retry: config.retry, concurrency: config.concurrency, timeoutMs: config.timeoutMs, retention: config.retention, staleAfterHours: config.staleAfterHours});
	});
});
