/**
 * A worker SIGKILLed while it creates or rewrites a lease leaves the lease's
 * temp file behind (the torture run found them in .cws/queue/leases). Such a
 * leftover must be one the start-up sweep and `cws verify` know: named like
 * every other staged file, with the writer's pid, so it is reported and
 * removed once that process is gone. The crash is simulated by failing the
 * step after the temp file is written and skipping its clean-up.
 */
import {mkdtemp, readdir, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {afterEach, describe, expect, it, vi} from 'vitest';
import {workspacePaths} from '../../source/core/paths.js';
import {enqueueJob} from '../../source/core/queue/enqueue.js';
import {claimJob, leaseFile, newWorkerIdentity, recordLeaseChild} from '../../source/core/queue/lease.js';
import {Store} from '../../source/core/store.js';
import {inspectMeta, sweepMeta} from '../../source/core/sweep.js';
import {initWorkspace} from '../../source/core/workspace.js';

const crash = vi.hoisted(() => ({on: false}));

vi.mock('node:fs/promises', async importOriginal => {
	const actual = await importOriginal<typeof import('node:fs/promises')>();
	const died = () => Object.assign(new Error('simulated crash'), {code: 'EIO'});
	return {
		...actual,
		async link(...args: Parameters<typeof actual.link>) {
			if (crash.on) throw died();
			return actual.link(...args);
		},
		async rename(...args: Parameters<typeof actual.rename>) {
			if (crash.on && String(args[1]).includes(`${path.sep}leases${path.sep}`)) throw died();
			return actual.rename(...args);
		},
		// A dead process cleans nothing up.
		async unlink(file: Parameters<typeof actual.unlink>[0]) {
			if (crash.on && String(file).includes(`${path.sep}leases${path.sep}`)) return;
			return actual.unlink(file);
		},
	};
});

const dirs: string[] = [];
afterEach(async () => {
	crash.on = false;
	await Promise.all(dirs.splice(0).map(async dir => rm(dir, {recursive: true, force: true})));
});

async function queueWorkspace() {
	const dir = await mkdtemp(path.join(os.tmpdir(), 'cws-lease-temp-'));
	dirs.push(dir);
	const root = path.join(dir, 'ws');
	await initWorkspace(root);
	const paths = workspacePaths(root);
	const ws = {paths, store: new Store(paths.meta)};
	const {job} = await enqueueJob(ws, {project: 'web', target: {name: 'origin', kind: 'git', remote: 'origin', autoCommit: false}, stage: 'active', maxAttempts: 3});
	return {ws, job, leases: path.join(paths.queue, 'leases')};
}

async function expectSweptTemp(meta: string, leases: string): Promise<void> {
	const left = (await readdir(leases)).filter(name => name.includes('tmp'));
	expect(left).toHaveLength(1);
	const findings = await inspectMeta(meta);
	expect(findings.map(finding => finding.path)).toContain(path.join(leases, left[0]!));
	expect(findings.find(finding => finding.path === path.join(leases, left[0]!))?.kind).toBe('orphan-temp');
	await sweepMeta(meta);
	expect((await readdir(leases)).filter(name => name.includes('tmp'))).toEqual([]);
}

describe('lease temp files left by a worker that died', () => {
	it('claiming: the temp of a lease never linked is found by the sweep and verify, then removed', async () => {
		const {ws, job, leases} = await queueWorkspace();
		const identity = newWorkerIdentity();
		crash.on = true;
		await expect(claimJob(ws, job, identity, Date.now())).rejects.toThrow('simulated crash');
		crash.on = false;
		identity.release();
		await expectSweptTemp(ws.paths.meta, leases);
	});

	it('recording the running command: the temp of a lease rewrite is found by the sweep and verify, then removed', async () => {
		const {ws, job, leases} = await queueWorkspace();
		const identity = newWorkerIdentity();
		const claimed = await claimJob(ws, job, identity, Date.now());
		expect(claimed?.state).toBe('running');
		crash.on = true;
		await expect(recordLeaseChild(leaseFile(ws, job.id, claimed!.claim), claimed!.lease!, undefined)).rejects.toThrow('simulated crash');
		crash.on = false;
		identity.release();
		await expectSweptTemp(ws.paths.meta, leases);
	});
});
