import {mkdir, readdir, readFile, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {cancelJob, retryJob} from '../../../source/core/queue/actions.js';
import {enqueueJob} from '../../../source/core/queue/enqueue.js';
import {listJobs, mutateJob, readJob} from '../../../source/core/queue/jobs.js';
import {claimJob, leaseFile, newWorkerIdentity, type WorkerIdentity} from '../../../source/core/queue/lease.js';
import type {CustomTarget} from '../../../source/core/queue/types.js';
import {spawnTs} from '../../helpers/child.js';
import {tempDirs} from '../../helpers/tmp.js';
import {makeWorkspace} from './helpers.js';

const dirs = tempDirs('queue-semantics');
afterEach(async () => dirs.cleanupAll());

const noop = (name = 'noop'): CustomTarget => ({name, kind: 'custom', runner: 'noop', params: {}});

describe('enqueue', () => {
	it('keeps at most one waiting job per project and target, also across processes', async () => {
		const root = await dirs.create();
		const ws = await makeWorkspace(root);
		const first = await enqueueJob(ws, {project: 'app', target: noop()});
		const again = await enqueueJob(ws, {project: 'app', target: noop()});
		expect(first.created).toBe(true);
		expect(again).toMatchObject({created: false, job: {id: first.job.id}});
		const other = await enqueueJob(ws, {project: 'app', target: noop('other')});
		expect(other.created).toBe(true);
		const parallel = await Promise.all(Array.from({length: 8}, async () => enqueueJob(ws, {project: 'lib', target: noop()})));
		expect(new Set(parallel.map(result => result.job.id)).size).toBe(1);
		expect(parallel.filter(result => result.created)).toHaveLength(1);

		const acks = path.join(root, 'acks');
		const children = await Promise.all([0, 1, 2].map(async () => spawnTs('test/fixtures/queue/jepsen-child.ts', ['same', root, '10', acks])));
		const exits = await Promise.all(children.map(async child => child.exited));
		expect(exits.map(exit => exit.code), children.map(child => child.stderr()).join('\n')).toEqual([0, 0, 0]);
		const ids = (await readFile(acks, 'utf8')).trim().split('\n');
		expect(ids).toHaveLength(30);
		expect(new Set(ids).size).toBe(1);
		expect((await listJobs(ws)).jobs.filter(job => job.project === 'shared')).toHaveLength(1);
	});

	it('is durable: the job file exists, verified, the moment enqueue returns', async () => {
		const root = await dirs.create();
		const ws = await makeWorkspace(root);
		const {job} = await enqueueJob(ws, {project: 'app', target: noop()});
		const text = await readFile(path.join(ws.paths.queue, `${job.id}.json`), 'utf8');
		expect(JSON.parse(text)).toMatchObject({format: 'cws-state', generation: 1, payload: {id: job.id, state: 'pending'}});
	});
});

describe('claims', () => {
	async function setup() {
		const root = await dirs.create();
		const ws = await makeWorkspace(root);
		await mkdir(path.join(ws.paths.queue, 'leases'), {recursive: true});
		const {job} = await enqueueJob(ws, {project: 'app', target: noop()});
		return {ws, job};
	}

	it('lets exactly one of many concurrent claimers win', async () => {
		const {ws, job} = await setup();
		const identities = Array.from({length: 6}, () => newWorkerIdentity());
		const results = await Promise.all(identities.map(async identity => claimJob(ws, job, identity, Date.now())));
		expect(results.filter(Boolean)).toHaveLength(1);
		const running = await readJob(ws, job.id);
		expect(running).toMatchObject({state: 'running', attempt: 1, claim: 1});
		for (const identity of identities) {
			identity.release();
		}
	});

	it('moves past a claim whose worker died between its two steps', async () => {
		const {ws, job} = await setup();
		// A worker created lease 1 and died before switching the job to running.
		const dead: WorkerIdentity = {worker: 'gone', host: os.hostname(), pid: 999_999_999, startTime: '1'};
		await writeFile(leaseFile(ws, job.id, 1), JSON.stringify({...dead, claimedAt: Date.now()}));
		const me = newWorkerIdentity();
		expect(await claimJob(ws, job, me, Date.now())).toBeUndefined();
		expect(await readJob(ws, job.id)).toMatchObject({state: 'pending', claim: 1, attempt: 0});
		const claimed = await claimJob(ws, await readJob(ws, job.id), me, Date.now());
		expect(claimed).toMatchObject({state: 'running', claim: 2, attempt: 1});
		me.release();
	});

	it('does not claim a job that is not due or was cancelled', async () => {
		const {ws, job} = await setup();
		const me = newWorkerIdentity();
		await mutateJob(ws, job.id, current => ({...current, dueAt: Date.now() + 60_000}));
		expect(await claimJob(ws, job, me, Date.now())).toBeUndefined();
		await cancelJob(ws, job.id);
		expect(await claimJob(ws, await readJob(ws, job.id), me, Date.now() + 120_000)).toBeUndefined();
		me.release();
	});
});

describe('cancel and retry', () => {
	it('does what makes sense in each state and says why otherwise', async () => {
		const root = await dirs.create();
		const ws = await makeWorkspace(root);
		const {job} = await enqueueJob(ws, {project: 'app', target: noop()});

		// Pending: retry is a no-op with a message; cancel cancels.
		expect(await retryJob(ws, job.id)).toMatchObject({changed: false, message: expect.stringContaining('already waiting')});
		expect(await cancelJob(ws, job.id)).toMatchObject({changed: true, job: {state: 'cancelled'}});
		await expect(cancelJob(ws, job.id)).rejects.toMatchObject({code: 'JOB_FINISHED'});

		// Cancelled → retry: a new round of attempts.
		await mutateJob(ws, job.id, current => ({...current, attempt: 3}));
		expect(await retryJob(ws, job.id)).toMatchObject({changed: true, job: {state: 'pending', attempt: 0}});

		// Running: retry refused, cancel asks the worker.
		const me = newWorkerIdentity();
		await claimJob(ws, await readJob(ws, job.id), me, Date.now());
		await expect(retryJob(ws, job.id)).rejects.toMatchObject({code: 'JOB_RUNNING'});
		expect(await cancelJob(ws, job.id)).toMatchObject({changed: true, job: {state: 'running', cancelRequested: true}});
		expect(await cancelJob(ws, job.id)).toMatchObject({changed: false, message: expect.stringContaining('already being stopped')});
		me.release();

		// Failed: retry now keeps the attempt count.
		await mutateJob(ws, job.id, current => ({...current, state: 'failed', cancelRequested: undefined, dueAt: Date.now() + 600_000, attempt: 2}));
		const now = Date.now();
		expect(await retryJob(ws, job.id, {now})).toMatchObject({job: {state: 'pending', attempt: 2, dueAt: now}});

		// Dead while another job for the same pair waits: refused.
		await mutateJob(ws, job.id, current => ({...current, state: 'dead'}));
		const other = await enqueueJob(ws, {project: 'app', target: noop()});
		expect(other.created).toBe(true);
		await expect(retryJob(ws, job.id)).rejects.toMatchObject({code: 'JOB_DUPLICATE', message: expect.stringContaining(other.job.id)});

		// Done: refused with the command that syncs again.
		await mutateJob(ws, other.job.id, current => ({...current, state: 'done', finishedAt: Date.now()}));
		await expect(retryJob(ws, other.job.id)).rejects.toMatchObject({code: 'JOB_DONE', hint: expect.stringContaining('cws sync app --target noop')});
		await expect(cancelJob(ws, other.job.id)).rejects.toMatchObject({code: 'JOB_FINISHED'});
		await expect(retryJob(ws, '0000000zz-00000000')).rejects.toMatchObject({code: 'JOB_NOT_FOUND'});
	});
});

describe('a damaged job file', () => {
	it('is listed as unreadable, quarantined once, and does not stop the other jobs', async () => {
		const root = await dirs.create();
		const ws = await makeWorkspace(root);
		const {job: bad} = await enqueueJob(ws, {project: 'app', target: noop('bad')});
		const {job: good} = await enqueueJob(ws, {project: 'app', target: noop('good')});
		const file = path.join(ws.paths.queue, `${bad.id}.json`);
		await writeFile(file, (await readFile(file, 'utf8')).replace('"pending"', '"pendinG"'));
		for (let round = 0; round < 3; round++) {
			const listing = await listJobs(ws);
			expect(listing.jobs.map(job => job.id)).toEqual([good.id]);
			expect(listing.unreadable).toMatchObject([{id: bad.id, error: expect.stringContaining('failed verification')}]);
		}

		expect(await readdir(path.join(ws.paths.quarantine, 'queue'))).toHaveLength(1);
	});
});
