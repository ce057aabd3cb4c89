import {writeFile} from 'node:fs/promises';
import path from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import {afterEach, describe, expect, it} from 'vitest';
import {enqueueAutosync} from '../../../source/core/queue/autosync.js';
import {DEFAULT_SYNC_CONFIG, parseSyncConfig} from '../../../source/core/queue/config.js';
import {computeStats, syncBadge} from '../../../source/core/queue/stats.js';
import {enqueueJob} from '../../../source/core/queue/enqueue.js';
import {listJobs, readJob} from '../../../source/core/queue/jobs.js';
import type {Runner} from '../../../source/core/queue/runners/types.js';
import {FINAL_SYNC_QUESTION, queueShutdownParticipant} from '../../../source/core/queue/shutdown.js';
import {enqueueForStage} from '../../../source/core/queue/sync.js';
import type {CustomTarget} from '../../../source/core/queue/types.js';
import {findUnsyncedProjects} from '../../../source/core/queue/unsynced.js';
import {createQueueWatcher} from '../../../source/core/queue/watch.js';
import {QueueWorker, runWorker} from '../../../source/core/queue/worker.js';
import {tempDirs} from '../../helpers/tmp.js';
import {git, makeBareRemote, makeGitProject, makeWorkspace, testEnv} from './helpers.js';

const dirs = tempDirs('queue-cexit');
afterEach(async () => dirs.cleanupAll());

describe('the pane watcher', () => {
	it('publishes a new snapshot when any process changes the queue, and only then', async () => {
		const ws = await makeWorkspace(await dirs.create());
		const watcher = createQueueWatcher(ws, {intervalMs: 20});
		let calls = 0;
		const unsubscribe = watcher.subscribe(() => {
			calls++;
		});
		await sleep(100);
		const empty = watcher.getSnapshot();
		expect(empty.jobs).toEqual([]);
		const target: CustomTarget = {name: 'noop', kind: 'custom', runner: 'noop', params: {}};
		const {job} = await enqueueJob(ws, {project: 'app', target});
		await sleep(150);
		const after = watcher.getSnapshot();
		expect(after).not.toBe(empty);
		expect(after.jobs.map(item => item.id)).toEqual([job.id]);
		expect(after.stats.depth).toBe(1);
		const seen = calls;
		await sleep(100);
		expect(watcher.getSnapshot()).toBe(after);
		expect(calls).toBe(seen);
		unsubscribe();
		watcher.close();
	});
});

describe('autosync and the board badge', () => {
	it('enqueues stages with an interval once it has passed, and the badge follows the jobs', async () => {
		const ws = await makeWorkspace(await dirs.create());
		await makeGitProject(ws, 'app', 'active');
		await makeGitProject(ws, 'toy', 'sandbox');
		const config = parseSyncConfig({backupRoot: path.join(ws.paths.root, 'backups'), autosyncMinutes: {active: 30}});
		const now = Date.now();
		const first = await enqueueAutosync(ws, config, [], now);
		expect(first.map(({job}) => [job.project, job.target.name, job.reason])).toEqual([['app', 'backup', 'autosync']]);
		const jobs = (await listJobs(ws)).jobs;
		expect(await enqueueAutosync(ws, config, jobs, now + (29 * 60_000))).toEqual([]);

		const stats = computeStats(jobs, {lastSuccess: {}}, {now, staleAfterMs: 3600_000});
		expect(syncBadge(jobs, stats, 'app', now)).toEqual({label: 'queued', tone: 'busy'});
		expect(syncBadge(jobs, stats, 'toy', now)).toEqual({label: 'never synced', tone: 'warn'});
		await runWorker(ws, {once: true, config, env: testEnv()});
		const after = (await listJobs(ws)).jobs;
		const later = now + (2.5 * 3600_000);
		expect(syncBadge(after, computeStats(after, {lastSuccess: {}}, {now, staleAfterMs: 3600_000}), 'app', now).tone).toBe('ok');
		expect(syncBadge(after, computeStats(after, {lastSuccess: {}}, {now: later, staleAfterMs: 3600_000}), 'app', later)).toEqual({label: 'synced 2h ago', tone: 'warn'});
	});
});

describe('the board hook and cexit', () => {
	async function setup() {
		const root = await dirs.create();
		const ws = await makeWorkspace(root);
		const backups = path.join(root, 'backups');
		await writeFile(ws.paths.config, JSON.stringify({sync: {backupRoot: backups}}));
		const web = await makeGitProject(ws, 'web', 'stable');
		const remote = await makeBareRemote(path.join(root, 'web.git'));
		await git(web, 'remote', 'add', 'origin', remote);
		await makeGitProject(ws, 'toy', 'sandbox');
		return {ws, web, backups};
	}

	it('enqueues the new stage\'s targets after a move; Sandbox enqueues nothing', async () => {
		const {ws} = await setup();
		const results = await enqueueForStage(ws, 'web', 'stable');
		expect(results.map(({job}) => [job.target.name, job.reason, job.stage])).toEqual([['backup', 'stage', 'stable'], ['origin', 'stage', 'stable']]);
		expect(await enqueueForStage(ws, 'toy', 'sandbox')).toEqual([]);
	});

	it('finds unsynced work, syncs it on cexit, and then reports everything synced', async () => {
		const {ws, web} = await setup();
		expect((await findUnsyncedProjects(ws)).map(item => [item.project, item.targets.map(target => `${target.target.name}: ${target.reason}`)])).toEqual([
			['web', ['backup: never synced', 'origin: never synced']],
		]);
		const worker = new QueueWorker(ws, {pollMs: 20, env: testEnv(), config: parseSyncConfig({backupRoot: path.join(ws.paths.root, 'backups')})});
		const running = worker.start();
		const participant = queueShutdownParticipant(ws, {worker, pollMs: 20});
		const steps = await participant.plan({mode: 'interactive', force: false});
		expect(steps[0]?.question?.id).toBe(FINAL_SYNC_QUESTION);
		const progress: string[] = [];
		const lines = await participant.run({
			mode: 'interactive', force: false, answers: new Map([[FINAL_SYNC_QUESTION, 'sync']]),
			signal: new AbortController().signal, report: text => progress.push(text),
		});
		expect(lines).toEqual(['Synced: web → backup, web → origin.']);
		await running;
		expect(await findUnsyncedProjects(ws)).toEqual([]);

		// A new commit makes the push target unsynced again (the backup too: files changed).
		await sleep(20);
		await writeFile(path.join(web, 'new.txt'), 'x');
		await git(web, 'add', '-A');
		await git(web, 'commit', '-q', '-m', 'more');
		const unsynced = await findUnsyncedProjects(ws);
		expect(unsynced.flatMap(item => item.targets.map(target => `${target.target.name}: ${target.reason}`))).toEqual([
			'backup: changed since the last sync', 'origin: new commits since the last push',
		]);
	});

	it('on a signal, puts running jobs back in the queue and waits for nothing', async () => {
		const {ws} = await setup();
		const hang: Runner<CustomTarget> = async (_target, context) => {
			await context.run(['sleep', '60'], {cwd: ws.paths.root});
			return {status: 'retry', error: {code: 'STOPPED', message: 'stopped'}};
		};

		const {job} = await enqueueJob(ws, {project: 'web', target: {name: 'hang', kind: 'custom', runner: 'hang', params: {}}});
		const worker = new QueueWorker(ws, {pollMs: 20, runners: {custom: {hang}}, config: DEFAULT_SYNC_CONFIG});
		const running = worker.start();
		while (worker.running().length === 0) {
			await sleep(20);
		}

		const participant = queueShutdownParticipant(ws, {worker});
		expect((await participant.plan({mode: 'signal', force: false}))[0]?.title).toBe('Put 1 running sync job(s) back in the queue');
		const started = Date.now();
		const lines = await participant.run({mode: 'signal', force: false, answers: new Map(), signal: new AbortController().signal, report() {}});
		expect(Date.now() - started).toBeLessThan(3000);
		expect(lines.join('\n')).toContain('1 running sync job(s) went back to the queue');
		expect(await readJob(ws, job.id)).toMatchObject({state: 'pending', attempt: 0});
		expect((await running).requeued).toBe(1);
		expect((await listJobs(ws)).jobs).toHaveLength(1);
		// A later worker picks it up.
		await runWorker(ws, {once: true, runners: {custom: {hang: async () => ({status: 'done', message: 'ok'})}}, config: DEFAULT_SYNC_CONFIG});
		expect((await readJob(ws, job.id)).state).toBe('done');
	});
});
