import fs from 'node:fs';
import {readdir} from 'node:fs/promises';
import {syncBuiltinESMExports} from 'node:module';
import {afterEach, describe, expect, it} from 'vitest';
import {enqueueJob} from '../../../source/core/queue/enqueue.js';
import {readJob} from '../../../source/core/queue/jobs.js';
import {claimJob, newWorkerIdentity} from '../../../source/core/queue/lease.js';
import {tempDirs} from '../../helpers/tmp.js';
import {makeWorkspace} from './helpers.js';

const dirs = tempDirs('queue-lease');
afterEach(async () => dirs.cleanupAll());

const target = {name: 'noop', kind: 'custom' as const, runner: 'noop', params: {}};

describe('a claim whose lease cannot be written', () => {
	it('fails with the write\'s error (a full disk) even when closing and removing the lease fail too', async () => {
		const ws = await makeWorkspace(await dirs.create());
		const {job} = await enqueueJob(ws, {project: 'app', target});
		const leases = `${ws.paths.queue}/leases/`;
		const leaseFds = new Set<number>();
		const original = {openSync: fs.openSync, writeSync: fs.writeSync, closeSync: fs.closeSync, unlinkSync: fs.unlinkSync};
		const failing = (code: string) => Object.assign(new Error(`${code}: injected`), {code});
		// Patched on the module and synced into the ES module bindings the lease code imports.
		fs.openSync = ((file: fs.PathLike, ...rest: unknown[]) => {
			const fd = (original.openSync as (...args: unknown[]) => number)(file, ...rest);
			if (String(file).startsWith(leases)) leaseFds.add(fd);
			return fd;
		}) as typeof fs.openSync;
		fs.writeSync = ((fd: number, ...rest: unknown[]) => {
			if (leaseFds.has(fd)) throw failing('ENOSPC');
			return (original.writeSync as (...args: unknown[]) => number)(fd, ...rest);
		}) as typeof fs.writeSync;
		fs.closeSync = (fd: number) => {
			original.closeSync(fd);
			if (leaseFds.delete(fd)) throw failing('EIO');
		};
		fs.unlinkSync = (file: fs.PathLike) => {
			if (String(file).startsWith(leases)) throw failing('EBUSY');
			original.unlinkSync(file);
		};
		syncBuiltinESMExports();
		const identity = newWorkerIdentity();
		try {
			await expect(claimJob(ws, job, identity, Date.now())).rejects.toMatchObject({code: 'ENOSPC'});
		} finally {
			Object.assign(fs, original);
			syncBuiltinESMExports();
			identity.release();
		}

		expect(await readJob(ws, job.id)).toMatchObject({state: 'pending', claim: 0});
		// The lease could not be removed: an empty file, reaped 10 s on like any unreadable one.
		expect(await readdir(`${ws.paths.queue}/leases`)).toEqual([`${job.id}.1`]);
	});
});
