import {readdir, readFile, writeFile} from 'node:fs/promises';
import {afterEach, describe, expect, it, vi} from 'vitest';
import {enqueueJob} from '../../../source/core/queue/enqueue.js';
import {changeJob} from '../../../source/core/queue/job-write.js';
import {jobSpec, mutateJob, readJob} from '../../../source/core/queue/jobs.js';
import {Store} from '../../../source/core/store.js';
import {tempDirs} from '../../helpers/tmp.js';
import {makeWorkspace} from './helpers.js';

const dirs = tempDirs('queue-job-write');
afterEach(async () => dirs.cleanupAll());

const target = {name: 'noop', kind: 'custom' as const, runner: 'noop', params: {}};

describe('job writes under the job lock', () => {
	it('a job this process wrote is not read again while its file is the inode written', async () => {
		const ws = await makeWorkspace(await dirs.create());
		const {job} = await enqueueJob(ws, {project: 'app', target});
		const snapshot = vi.spyOn(ws.store, 'snapshot');
		await changeJob(ws, job.id, current => ({...current, attempt: 1}), 'data');
		await changeJob(ws, job.id, current => ({...current, attempt: current.attempt + 1}), 'durable');
		expect(snapshot).not.toHaveBeenCalled();
		expect(await readJob(ws, job.id)).toMatchObject({attempt: 2});
		// Each write is its own generation on disk, as through the store.
		expect(JSON.parse(await readFile(ws.store.filePath(jobSpec(job.id)), 'utf8'))).toMatchObject({generation: 3});
	});

	it('sees a change made by another writer since (a new inode), never its own older copy', async () => {
		const ws = await makeWorkspace(await dirs.create());
		const other = {paths: ws.paths, store: new Store(ws.paths.meta)};
		const {job} = await enqueueJob(ws, {project: 'app', target});
		await changeJob(ws, job.id, current => ({...current, attempt: 1}), 'data');
		await mutateJob(other, job.id, current => ({...current, cancelRequested: true}));
		const seen = await changeJob(ws, job.id, current => ({...current, attempt: current.attempt + 1}), 'durable');
		expect(seen).toMatchObject({attempt: 2, cancelRequested: true});
		expect(await readJob(other, job.id)).toMatchObject({attempt: 2, cancelRequested: true});
	});

	it('reads a file edited in place since its write: a damaged one is refused as the store refuses it, never overwritten from memory', async () => {
		const ws = await makeWorkspace(await dirs.create());
		const {job} = await enqueueJob(ws, {project: 'app', target});
		await changeJob(ws, job.id, current => ({...current, attempt: 1}), 'data');
		const file = ws.store.filePath(jobSpec(job.id));
		const text = await readFile(file, 'utf8');
		await writeFile(file, text.replace(/"attempt": ?1/, '"attempt":7'));
		await expect(changeJob(ws, job.id, current => ({...current, attempt: current.attempt + 1}), 'durable')).rejects.toMatchObject({code: 'STATE_CORRUPT'});
		expect(await readFile(file, 'utf8').catch(() => 'quarantined')).not.toMatch(/"attempt": ?2/);
	});

	it('refuses a damaged job file with the error of its first read under the lock, without running the store\'s recovery a second time', async () => {
		const ws = await makeWorkspace(await dirs.create());
		const {job} = await enqueueJob(ws, {project: 'app', target});
		const file = ws.store.filePath(jobSpec(job.id));
		await writeFile(file, (await readFile(file, 'utf8')).replace(/"attempt": ?0/, '"attempt":7'));
		const fresh = {paths: ws.paths, store: new Store(ws.paths.meta)};
		const update = vi.spyOn(fresh.store, 'update');
		await expect(changeJob(fresh, job.id, current => ({...current, attempt: current.attempt + 1}), 'durable')).rejects.toMatchObject({code: 'STATE_CORRUPT'});
		expect(update).not.toHaveBeenCalled();
		expect(await readdir(ws.paths.quarantine, {recursive: true})).toEqual(expect.arrayContaining([expect.stringMatching(/\.bad$/)]));
	});
});
