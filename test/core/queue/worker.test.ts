import {spawn} from 'node:child_process';
import {readFileSync} from 'node:fs';
import {mkdir, unlink, writeFile} from 'node:fs/promises';
import os from 'node:os';
import {setTimeout as sleep} from 'node:timers/promises';
import {afterEach, describe, expect, it} from 'vitest';
import {cancelJob} from '../../../source/core/queue/actions.js';
import {DEFAULT_SYNC_CONFIG} from '../../../source/core/queue/config.js';
import {enqueueJob} from '../../../source/core/queue/enqueue.js';
import {mutateJob, queueDirs, readJob} from '../../../source/core/queue/jobs.js';
import {leaseFile, readLease} from '../../../source/core/queue/lease.js';
import {readJobLog} from '../../../source/core/queue/log.js';
import {processStartTimeSync} from '../../../source/core/queue/proc.js';
import type {Runner} from '../../../source/core/queue/runners/types.js';
import type {CustomTarget} from '../../../source/core/queue/types.js';
import {QueueWorker, runWorker} from '../../../source/core/queue/worker.js';
import {tempDirs} from '../../helpers/tmp.js';
import {makeWorkspace, testEnv} from './helpers.js';

const dirs = tempDirs('queue-worker');
afterEach(async () => dirs.cleanupAll());

const config = {...DEFAULT_SYNC_CONFIG, retry: {attempts: 3, baseMs: 10, capMs: 20, jitter: 0}};
const target = (runner: string): CustomTarget => ({name: runner, kind: 'custom', runner, params: {}});

function alive(pid: number): boolean {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
	} catch {
		return false;
	}
}

/** A runner that runs `sleep 60` through the run context, so the command can be killed. */
const sleeper: Runner<CustomTarget> = async (_target, context) => {
	const result = await context.run(['sleep', '60'], {cwd: os.tmpdir()});
	return result.exitCode === 0 ? {status: 'done', message: 'slept'} : {status: 'retry', error: {code: 'STOPPED', message: 'stopped'}};
};

async function waitFor<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 10_000): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		const value = await probe();
		if (value !== undefined) {
			return value;
		}

		await sleep(20);
	}

	throw new Error(`timed out waiting for ${what}`);
}

describe('worker', () => {
	it('cancels a running job: kills its command and marks it cancelled', async () => {
		const ws = await makeWorkspace(await dirs.create());
		const {job} = await enqueueJob(ws, {project: 'app', target: target('sleeper')});
		const worker = new QueueWorker(ws, {config, runners: {custom: {sleeper}}, heartbeatMs: 50, pollMs: 20, env: testEnv()});
		const done = worker.start();
		const command = await waitFor(async () => worker.running()[0]?.command, 'the command to start');
		expect(command).toEqual(['sleep', '60']);
		await cancelJob(ws, job.id);
		const cancelled = await waitFor(async () => {
			const current = await readJob(ws, job.id);
			return current.state === 'cancelled' ? current : undefined;
		}, 'the cancel');
		expect(cancelled.lease).toBeUndefined();
		await waitFor(async () => (worker.running().length === 0 ? true : undefined), 'the worker to let go');
		await worker.stop();
		expect((await done).cancelled).toBe(1);
		const log = await readJobLog(ws, job.id);
		expect(log.find(entry => entry.type === 'command')).toMatchObject({argv: ['sleep', '60'], signal: 'SIGTERM'});
	});

	it('on stop, puts running jobs back without counting the attempt, and kills their commands', async () => {
		const ws = await makeWorkspace(await dirs.create());
		const {job} = await enqueueJob(ws, {project: 'app', target: target('sleeper')});
		const controller = new AbortController();
		const done = runWorker(ws, {config, runners: {custom: {sleeper}}, pollMs: 20, signal: controller.signal, env: testEnv()});
		await waitFor(async () => ((await readJob(ws, job.id)).state === 'running' ? true : undefined), 'the job to run');
		await sleep(100);
		const started = Date.now();
		controller.abort();
		const summary = await done;
		expect(Date.now() - started).toBeLessThan(3000);
		expect(summary.requeued).toBe(1);
		expect(await readJob(ws, job.id)).toMatchObject({state: 'pending', attempt: 0, claim: 1});
		// And the next worker runs it.
		const quick: Runner<CustomTarget> = async () => ({status: 'done', message: 'ok'});
		await runWorker(ws, {once: true, config, runners: {custom: {sleeper: quick}}});
		expect(await readJob(ws, job.id)).toMatchObject({state: 'done', attempt: 1, claim: 2});
	});

	it('on start, recovers jobs of a dead worker: kills its orphan command, counts the attempt, runs it again', async () => {
		const ws = await makeWorkspace(await dirs.create());
		const {job} = await enqueueJob(ws, {project: 'app', target: target('quick')});
		// A worker that died mid-run: it left a lease and a command in its own process group.
		const orphan = spawn('sleep', ['60'], {detached: true, stdio: 'ignore'});
		await sleep(50);
		const dead = spawn('true');
		await new Promise(resolve => dead.once('exit', resolve));
		const lease = {worker: 'dead', host: os.hostname(), pid: dead.pid!, startTime: '12345', claimedAt: Date.now()};
		await mutateJob(ws, job.id, current => ({...current, state: 'running', attempt: 1, claim: 1, lease, startedAt: Date.now()}));
		await mkdir(queueDirs(ws.paths).leases, {recursive: true});
		await writeFile(leaseFile(ws, job.id, 1), JSON.stringify({...lease, child: {pid: orphan.pid, startTime: processStartTimeSync(orphan.pid!)}}));
		expect(alive(orphan.pid!)).toBe(true);

		const quick: Runner<CustomTarget> = async () => ({status: 'done', message: 'ok'});
		const summary = await runWorker(ws, {once: true, config, runners: {custom: {quick}}});
		expect(summary).toMatchObject({recovered: 1, done: 1});
		expect(await readJob(ws, job.id)).toMatchObject({state: 'done', attempt: 2, claim: 2});
		await sleep(50);
		expect(alive(orphan.pid!)).toBe(false);
		const states = (await readJobLog(ws, job.id)).flatMap(entry => (entry.type === 'state' ? [`${entry.from ?? 'new'}→${entry.to}`] : []));
		expect(states).toEqual(['new→pending', 'running→pending', 'pending→running', 'running→done']);
	});

	it('leaves alone a running job whose worker is alive', async () => {
		const ws = await makeWorkspace(await dirs.create());
		const {job} = await enqueueJob(ws, {project: 'app', target: target('quick')});
		const lease = {worker: 'alive', host: os.hostname(), pid: process.ppid, startTime: processStartTimeSync(process.ppid)!, claimedAt: Date.now()};
		await mutateJob(ws, job.id, current => ({...current, state: 'running', attempt: 1, claim: 1, lease}));
		const summary = await runWorker(ws, {once: true, config, runners: {custom: {}}});
		expect(summary.recovered).toBe(0);
		expect(await readJob(ws, job.id)).toMatchObject({state: 'running', lease: {worker: 'alive'}});
	});

	it('a runner that throws counts as a failed attempt; a missing runner is dead at once', async () => {
		const ws = await makeWorkspace(await dirs.create());
		const boom: Runner<CustomTarget> = async () => {
			throw new Error('boom');
		};

		const thrown = await enqueueJob(ws, {project: 'app', target: target('boom'), maxAttempts: 2});
		const missing = await enqueueJob(ws, {project: 'app', target: target('nobody')});
		await runWorker(ws, {drain: true, config, runners: {custom: {boom}}, pollMs: 10});
		expect(await readJob(ws, thrown.job.id)).toMatchObject({state: 'dead', attempt: 2, lastError: {code: 'RUNNER_ERROR', message: 'boom'}});
		expect(await readJob(ws, missing.job.id)).toMatchObject({state: 'dead', attempt: 1, lastError: {code: 'NO_RUNNER'}});
	});
});

describe('worker and a broken config', () => {
	it('reports the problem once and keeps running the queue with the defaults', async () => {
		const ws = await makeWorkspace(await dirs.create());
		await writeFile(ws.paths.config, JSON.stringify({sync: {concurrency: 'lots'}}));
		const {job} = await enqueueJob(ws, {project: 'app', target: target('quick')});
		const errors: string[] = [];
		const quick: Runner<CustomTarget> = async () => ({status: 'done', message: 'ok'});
		const summary = await runWorker(ws, {once: true, runners: {custom: {quick}}, onEvent: event => event.type === 'error' && errors.push(event.message)});
		expect(summary.done).toBe(1);
		expect((await readJob(ws, job.id)).state).toBe('done');
		expect(errors).toEqual([expect.stringContaining('sync.concurrency must be a whole number from 1 to 64')]);
	});
});

describe('worker and a lease heartbeat that fails', () => {
	it('reports it once as an error event and in the summary, and keeps running the job', async () => {
		const ws = await makeWorkspace(await dirs.create());
		const {job} = await enqueueJob(ws, {project: 'app', target: target('sleeper')});
		const errors: string[] = [];
		const worker = new QueueWorker(ws, {config, runners: {custom: {sleeper}}, heartbeatMs: 30, pollMs: 20, env: testEnv(),
			onEvent: event => event.type === 'error' && errors.push(event.message)});
		const done = worker.start();
		await waitFor(async () => worker.running()[0]?.command, 'the command to start');
		const running = await readJob(ws, job.id);
		const lease = leaseFile(ws, job.id, running.claim);
		// The worker rewrites the lease (staged, then renamed) to record the command it started:
		// removed before that rename, the lease would be put back by it and never fail a beat.
		await waitFor(async () => ((await readLease(lease)).record?.child ? true : undefined), 'the lease to record the command');
		await unlink(lease);
		await waitFor(async () => (errors.length > 0 ? true : undefined), 'the heartbeat failure to be reported');
		// Several more beats fail; the report is not repeated for each.
		await sleep(200);
		expect(errors).toEqual([expect.stringMatching(new RegExp(`lease heartbeat could not be refreshed.*job ${job.id}.*ENOENT`))]);
		expect(worker.running()).toHaveLength(1);
		const summary = await worker.stop();
		await done;
		expect(summary.errors).toEqual(errors);
	}, 30_000);
});
