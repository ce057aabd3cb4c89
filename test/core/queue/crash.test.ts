/**
 * The queue's durability shortcuts, each tested with a real process killed
 * at the shortcut (a preloaded hook SIGKILLs it right after the rename in
 * question, before any fsync of the folder, log line or report):
 * - a key is written without fsync, before its job;
 * - a claim's lease is created in place (an empty one is possible);
 * - a claim's rename is not followed by a folder fsync;
 * - an end of a run is reported only after its folder fsync.
 * And the keys' rebuild, which stands in for what a machine crash could do
 * to key files (lost, stale, torn) since only a new boot can lose them.
 */
import {readFile, stat, writeFile, unlink} from 'node:fs/promises';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterEach, describe, expect, it} from 'vitest';
import {enqueueJob, keyFile} from '../../../source/core/queue/enqueue.js';
import {listJobs, readJob} from '../../../source/core/queue/jobs.js';
import {bootId} from '../../../source/core/queue/keys.js';
import {claimJob, newWorkerIdentity} from '../../../source/core/queue/lease.js';
import {readJobLog} from '../../../source/core/queue/log.js';
import type {CustomTarget} from '../../../source/core/queue/types.js';
import {runWorker} from '../../../source/core/queue/worker.js';
import {spawnTs} from '../../helpers/child.js';
import {tempDirs} from '../../helpers/tmp.js';
import {makeWorkspace} from './helpers.js';

const HOOK = fileURLToPath(new URL('fixtures/die-after-rename.cjs', import.meta.url));
const CHILD = 'test/core/queue/fixtures/crash-child.ts';
const JOB_FILE = String.raw`/queue/[0-9a-z]{9}-[0-9a-f]{8}\.json$`;
const dirs = tempDirs('queue-crash');
afterEach(async () => dirs.cleanupAll());

const noop = (name = 'noop'): CustomTarget => ({name, kind: 'custom', runner: 'noop', params: {}});
const noopRunner = {custom: {noop: async () => ({status: 'done' as const, message: 'nothing to do'})}};

/** Runs the child until the hook kills it: after the nth rename onto a path matching `rename`, or after writing a file matching `written` in place. */
async function killedAt(root: string, args: string[], at: {rename?: string; written?: string}, nth = 1) {
	const env = {NODE_OPTIONS: `--require ${HOOK}`, CWS_DIE_NTH: String(nth), ...(at.rename ? {CWS_DIE_RENAME: at.rename} : {}), ...(at.written ? {CWS_DIE_WRITTEN: at.written} : {})};
	const child = await spawnTs(CHILD, [args[0]!, root, ...args.slice(1)], {env});
	const exit = await child.exited;
	expect(exit.signal, child.stderr()).toBe('SIGKILL');
	return child;
}

describe('enqueue killed at its shortcuts', () => {
	it('after the key (written in place, not fsynced) and before the job: nothing was acknowledged, and the next enqueue makes exactly one job', async () => {
		const root = await dirs.create();
		const ws = await makeWorkspace(root);
		const child = await killedAt(root, ['enqueue', 'app', 'noop'], {written: String.raw`/keys/app\+noop$`});
		expect(child.lines.filter(line => line.startsWith('queued'))).toEqual([]);
		const named = (JSON.parse(await readFile(keyFile(ws, 'app', 'noop'), 'utf8')) as {jobId: string}).jobId;
		expect((await listJobs(ws)).jobs).toEqual([]);
		const first = await enqueueJob(ws, {project: 'app', target: noop()});
		const again = await enqueueJob(ws, {project: 'app', target: noop()});
		expect(first.created).toBe(true);
		expect(first.job.id).not.toBe(named);
		expect(again).toMatchObject({created: false, job: {id: first.job.id}});
		expect((await listJobs(ws)).jobs.map(job => job.id)).toEqual([first.job.id]);
	});

	it('after the job\'s rename, before its folder fsync and the answer: the next enqueue returns that job, never a second one', async () => {
		const root = await dirs.create();
		const ws = await makeWorkspace(root);
		const child = await killedAt(root, ['enqueue', 'app', 'noop'], {rename: JOB_FILE});
		expect(child.lines.filter(line => line.startsWith('queued'))).toEqual([]);
		const [orphan] = (await listJobs(ws)).jobs;
		expect(orphan).toMatchObject({project: 'app', state: 'pending'});
		const again = await enqueueJob(ws, {project: 'app', target: noop()});
		expect(again).toMatchObject({created: false, job: {id: orphan!.id}});
		expect((await listJobs(ws)).jobs).toHaveLength(1);
	});
});

describe('keys after a crash of the machine', () => {
	it('are rebuilt from the job files in a new boot: lost, stale or torn keys never let a second job wait for a pair', async () => {
		if (bootId() === undefined) return; // Keys are fsynced where the boot id is unknown.
		const root = await dirs.create();
		const ws = await makeWorkspace(root);
		const jobs = await Promise.all(['a', 'b', 'c', 'd'].map(async project => (await enqueueJob(ws, {project, target: noop()})).job));
		const marker = path.join(ws.paths.queue, 'keys', 'boot-id');
		expect((await readFile(marker, 'utf8')).trim()).toBe(bootId());
		// What a power cut may leave of writes that were never fsynced.
		await writeFile(marker, '00000000-0000-0000-0000-000000000000\n');
		await unlink(keyFile(ws, 'a', 'noop'));
		await writeFile(keyFile(ws, 'b', 'noop'), '');
		await writeFile(keyFile(ws, 'c', 'noop'), JSON.stringify({jobId: '000000000-00000000'}));
		for (const job of jobs) {
			expect(await enqueueJob(ws, {project: job.project, target: noop()})).toMatchObject({created: false, job: {id: job.id}});
		}

		expect((await listJobs(ws)).jobs).toHaveLength(4);
		expect((await readFile(marker, 'utf8')).trim()).toBe(bootId());
		expect(JSON.parse(await readFile(keyFile(ws, 'a', 'noop'), 'utf8'))).toEqual({jobId: jobs[0]!.id});
	});
});

describe('worker killed at its shortcuts', () => {
	it('after the claim\'s rename (no folder fsync): the job is recovered, counted, and run to done', async () => {
		const root = await dirs.create();
		const ws = await makeWorkspace(root);
		const {job} = await enqueueJob(ws, {project: 'app', target: noop()});
		const child = await killedAt(root, ['work'], {rename: JOB_FILE});
		expect(child.lines).toEqual([]);
		expect(await readJob(ws, job.id)).toMatchObject({state: 'running', attempt: 1});
		const summary = await runWorker(ws, {drain: true, autosync: false, runners: noopRunner, pollMs: 20});
		expect(summary).toMatchObject({recovered: 1, done: 1});
		expect(await readJob(ws, job.id)).toMatchObject({state: 'done', attempt: 2});
		const log = (await readJobLog(ws, job.id)).map(entry => entry.type === 'state' ? `${entry.from ?? 'new'}>${entry.to}` : entry.type);
		// Killed before logging its claim: the log has the recovery, then the run that finished.
		expect(log).toEqual(['new>pending', 'running>pending', 'pending>running', 'running>done']);
	});

	it('after its lease is created (in place, one name) and before the claim\'s job write: the number is reaped and the job run once', async () => {
		const root = await dirs.create();
		const ws = await makeWorkspace(root);
		const {job} = await enqueueJob(ws, {project: 'app', target: noop()});
		const child = await killedAt(root, ['work'], {written: String.raw`/queue/leases/[0-9a-z]{9}-[0-9a-f]{8}\.1$`});
		expect(child.lines).toEqual([]);
		expect(await readJob(ws, job.id)).toMatchObject({state: 'pending', claim: 0, attempt: 0});
		expect(JSON.parse(await readFile(path.join(ws.paths.queue, 'leases', `${job.id}.1`), 'utf8'))).toMatchObject({pid: child.pid});
		const summary = await runWorker(ws, {drain: true, autosync: false, runners: noopRunner, pollMs: 20});
		expect(summary).toMatchObject({claimed: 1, done: 1, recovered: 0});
		// The dead claim is skipped, not counted as an attempt.
		expect(await readJob(ws, job.id)).toMatchObject({state: 'done', claim: 2, attempt: 1});
		const log = (await readJobLog(ws, job.id)).map(entry => entry.type === 'state' ? `${entry.from ?? 'new'}>${entry.to}` : entry.type);
		expect(log).toEqual(['new>pending', 'note', 'pending>running', 'running>done']);
	});

	it('a lease left empty (killed between its create and its write) holds its claim number for 10 s, then is reaped', async () => {
		const root = await dirs.create();
		const ws = await makeWorkspace(root);
		const {job} = await enqueueJob(ws, {project: 'app', target: noop()});
		const lease = path.join(ws.paths.queue, 'leases', `${job.id}.1`);
		await writeFile(lease, '', {mode: 0o600});
		const createdAt = (await stat(lease)).mtimeMs;
		// Claimed with explicit clocks: the outcome depends on the lease's age alone, not on how soon a worker gets there.
		const identity = newWorkerIdentity();
		try {
			expect(await claimJob(ws, (await readJob(ws, job.id))!, identity, createdAt + 9_900)).toBeUndefined();
			expect(await readJob(ws, job.id)).toMatchObject({state: 'pending', claim: 0});
			expect(await readFile(lease, 'utf8')).toBe('');

			// 10 s on, the number is reaped (no attempt counted), and the next claim takes the one after it.
			expect(await claimJob(ws, (await readJob(ws, job.id))!, identity, createdAt + 10_100)).toBeUndefined();
			expect(await readJob(ws, job.id)).toMatchObject({state: 'pending', claim: 1, attempt: 0});
			expect(await claimJob(ws, (await readJob(ws, job.id))!, identity, createdAt + 10_200)).toMatchObject({state: 'running', claim: 2, attempt: 1});
		} finally {
			identity.release();
		}
	});

	it('after the end\'s rename, before its folder fsync: nothing was reported done, and the job is not run again', async () => {
		const root = await dirs.create();
		const ws = await makeWorkspace(root);
		const {job} = await enqueueJob(ws, {project: 'app', target: noop()});
		const child = await killedAt(root, ['work'], {rename: JOB_FILE}, 2);
		expect(child.lines).toEqual([]);
		expect(await readJob(ws, job.id)).toMatchObject({state: 'done', attempt: 1});
		const summary = await runWorker(ws, {drain: true, autosync: false, runners: noopRunner, pollMs: 20});
		expect(summary).toMatchObject({claimed: 0, recovered: 0, done: 0});
		// The log tells only what was reported: the run started, its end was never logged.
		const log = (await readJobLog(ws, job.id)).map(entry => entry.type === 'state' ? `${entry.from ?? 'new'}>${entry.to}` : entry.type);
		expect(log).toEqual(['new>pending', 'pending>running']);
	});
});
