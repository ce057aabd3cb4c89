import {readdir} from 'node:fs/promises';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {backoffDelay} from '../../../source/core/queue/backoff.js';
import {DEFAULT_SYNC_CONFIG, parseSyncConfig} from '../../../source/core/queue/config.js';
import {enqueueJob} from '../../../source/core/queue/enqueue.js';
import {listJobs, mutateJob} from '../../../source/core/queue/jobs.js';
import {jobsToPrune, pruneJobs, syncHistorySpec} from '../../../source/core/queue/retention.js';
import {computeStats, percentile, readQueueStats} from '../../../source/core/queue/stats.js';
import {resolveTargets} from '../../../source/core/queue/targets.js';
import type {CustomTarget, Job} from '../../../source/core/queue/types.js';
import {tempDirs} from '../../helpers/tmp.js';
import {makeWorkspace} from './helpers.js';

const dirs = tempDirs('queue-policy');
afterEach(async () => dirs.cleanupAll());

const DAY = 24 * 3600_000;
const yes = async () => true;
const no = async () => false;

describe('sync policy', () => {
	it('fills in defaults: 5 attempts from 5 s up to 10 min, concurrency 2, 120 s, 7 days or 500 done, 30 days dead', () => {
		expect(parseSyncConfig(undefined)).toEqual(DEFAULT_SYNC_CONFIG);
		expect(DEFAULT_SYNC_CONFIG).toMatchObject({
			retry: {attempts: 5, baseMs: 5000, capMs: 600_000},
			concurrency: 2,
			timeoutMs: 120_000,
			retention: {doneDays: 7, doneKeep: 500, deadDays: 30},
			autosyncMinutes: {},
		});
	});

	it('names the field of every invalid value', () => {
		const cases: Array<[unknown, RegExp]> = [
			[{concurrency: 0}, /sync\.concurrency must be a whole number from 1 to 64/],
			[{retry: {jitter: 2}}, /sync\.retry\.jitter must be a number from 0 to 1/],
			[{stages: {beta: []}}, /sync\.stages\.beta is not a stage/],
			[{stages: {active: [{name: 'x', kind: 'ftp'}]}}, /sync\.stages\.active\.targets\[0\]\.kind must be "git", "rsync" or "export"/],
			[{projects: {'Bad Name': []}}, /sync\.projects\.Bad Name is not a valid project name/],
			[{projects: {app: [{name: 'a', kind: 'git'}, {name: 'a', kind: 'git'}]}}, /has two targets named a/],
			[{projects: {app: [{name: 'a', kind: 'git', branch: 'a..b'}]}}, /branch is not a valid git branch name/],
			[{backupRoot: 'relative'}, /sync\.backupRoot must be an absolute path or host:path/],
			[{autosyncMinutes: {active: 0}}, /sync\.autosyncMinutes\.active must be a whole number/],
		];
		for (const [raw, message] of cases) {
			expect(() => parseSyncConfig(raw), JSON.stringify(raw)).toThrow(message);
		}
	});

	it('resolves the default policy per stage', async () => {
		const withRoot = parseSyncConfig({backupRoot: '/mnt/backup'});
		const resolve = async (stage: 'sandbox' | 'active' | 'stable' | 'public', hasRemote = yes, config = withRoot) =>
			(await resolveTargets({config, project: 'app', stage, projectDir: '/x/app', hasRemote})).map(target => target.kind === 'rsync' ? `rsync:${target.dest}` : `${target.kind}:${target.name}`);
		expect(await resolve('sandbox')).toEqual([]);
		expect(await resolve('active')).toEqual(['rsync:/mnt/backup/app']);
		expect(await resolve('stable')).toEqual(['rsync:/mnt/backup/app', 'git:origin']);
		expect(await resolve('stable', no)).toEqual(['rsync:/mnt/backup/app']);
		expect(await resolve('public')).toEqual(['rsync:/mnt/backup/app', 'git:origin']);
		expect(await resolve('active', yes, DEFAULT_SYNC_CONFIG)).toEqual([]);
		expect(await resolve('stable', yes, DEFAULT_SYNC_CONFIG)).toEqual(['git:origin']);
		expect(await resolve('active', yes, parseSyncConfig({backupRoot: 'nas:backups'}))).toEqual(['rsync:nas:backups/app']);
	});

	it('lets stages replace the default and projects add, override or disable targets', async () => {
		const config = parseSyncConfig({
			backupRoot: '/mnt/backup',
			stages: {active: [{name: 'nas', kind: 'rsync', dest: 'nas:cws'}, {name: 'usb', kind: 'rsync', dest: '/media/usb/{project}-copy'}]},
			projects: {
				app: {targets: [{name: 'usb', kind: 'rsync', dest: '/media/other'}, {name: 'public', kind: 'export', repo: 'git@github.com:me/{project}.git', privatePaths: ['secrets']}], disabled: ['nas']},
			},
		});
		const app = await resolveTargets({config, project: 'app', stage: 'active', projectDir: '/x/app', hasRemote: yes});
		expect(app).toEqual([{name: 'usb', kind: 'rsync', dest: '/media/other', excludes: []}]);
		const lib = await resolveTargets({config, project: 'lib', stage: 'active', projectDir: '/x/lib', hasRemote: yes});
		expect(lib.map(target => target.kind === 'rsync' && target.dest)).toEqual(['nas:cws/lib', '/media/usb/lib-copy']);
		// Export targets apply to Public projects, or when asked for by name.
		const pub = await resolveTargets({config, project: 'app', stage: 'public', projectDir: '/x/app', hasRemote: no});
		expect(pub.map(target => target.name)).toEqual(['backup', 'usb', 'public']);
		expect(pub.find(target => target.kind === 'export')).toMatchObject({repo: 'git@github.com:me/app.git'});
		const explicit = await resolveTargets({config, project: 'app', stage: 'active', projectDir: '/x/app', hasRemote: no, includeAllExports: true});
		expect(explicit.map(target => target.name)).toEqual(['usb', 'public']);
	});

	it('backs off exponentially with jitter, capped', () => {
		const policy = {attempts: 5, baseMs: 5000, capMs: 600_000, jitter: 0.5};
		expect([1, 2, 3, 4].map(attempt => backoffDelay(attempt, policy, () => 0))).toEqual([5000, 10_000, 20_000, 40_000]);
		expect(backoffDelay(20, policy, () => 0)).toBe(600_000);
		expect(backoffDelay(1, policy, () => 1)).toBe(2500);
		const spread = new Set(Array.from({length: 50}, () => backoffDelay(3, policy)));
		expect(spread.size).toBeGreaterThan(10);
		for (const delay of spread) {
			expect(delay).toBeGreaterThanOrEqual(10_000);
			expect(delay).toBeLessThanOrEqual(20_000);
		}
	});
});

describe('retention and statistics', () => {
	const job = (over: Partial<Job>): Job => ({
		id: 'x', project: 'app', stage: 'stable', target: {name: 't', kind: 'custom', runner: 'r', params: {}}, reason: 'manual', state: 'done',
		attempt: 1, maxAttempts: 5, claim: 1, createdAt: 0, updatedAt: 0, dueAt: 0, ...over,
	});

	it('picks done jobs past 7 days or beyond the newest 500, dead and conflict past 30 days, never open ones', () => {
		const now = 100 * DAY;
		const jobs = [
			job({id: 'fresh', finishedAt: now - DAY}),
			job({id: 'old', finishedAt: now - (8 * DAY)}),
			job({id: 'dead-recent', state: 'dead', finishedAt: now - (20 * DAY)}),
			job({id: 'dead-old', state: 'dead', finishedAt: now - (31 * DAY)}),
			job({id: 'conflict-old', state: 'conflict', finishedAt: now - (40 * DAY)}),
			job({id: 'pending-old', state: 'pending', updatedAt: 0}),
			job({id: 'failed-old', state: 'failed', updatedAt: 0}),
		];
		expect(jobsToPrune(jobs, DEFAULT_SYNC_CONFIG.retention, now).map(item => item.id).sort()).toEqual(['conflict-old', 'dead-old', 'old']);
		const many = Array.from({length: 505}, (_, index) => job({id: `j${index}`, finishedAt: now - index}));
		expect(jobsToPrune(many, DEFAULT_SYNC_CONFIG.retention, now).map(item => item.id)).toEqual(['j500', 'j501', 'j502', 'j503', 'j504']);
	});

	it('prunes files, logs and leases, and keeps the last success for the board', async () => {
		const ws = await makeWorkspace(await dirs.create());
		const target: CustomTarget = {name: 'noop', kind: 'custom', runner: 'noop', params: {}};
		const now = Date.now();
		const {job: old} = await enqueueJob(ws, {project: 'app', target});
		await mutateJob(ws, old.id, current => ({...current, state: 'done', finishedAt: now - (9 * DAY), result: {message: 'ok', head: 'abc'}}));
		const {job: open} = await enqueueJob(ws, {project: 'app', target});
		expect(await pruneJobs(ws, (await listJobs(ws)).jobs, DEFAULT_SYNC_CONFIG.retention, now)).toBe(1);
		expect((await listJobs(ws)).jobs.map(item => item.id)).toEqual([open.id]);
		expect((await readdir(path.join(ws.paths.queue, 'logs'))).filter(name => name.startsWith(old.id))).toEqual([]);
		expect((await ws.store.read(syncHistorySpec)).data.lastSuccess).toEqual({app: {noop: {at: now - (9 * DAY), jobId: old.id, head: 'abc'}}});
		const stats = await readQueueStats(ws, {now, staleAfterHours: 24});
		expect(stats.lastSync['app']).toMatchObject({at: now - (9 * DAY), stale: true, targets: {noop: now - (9 * DAY)}});
		expect(stats.depth).toBe(1);
	});

	it('computes depth, wait percentiles and the 24 h success rate', () => {
		const now = 10 * DAY;
		const jobs = [
			...Array.from({length: 19}, (_, index) => job({id: `d${index}`, createdAt: now - 1000, firstStartedAt: now - 1000 + (index * 10), finishedAt: now - 10})),
			job({id: 'slow', createdAt: now - 100_000, firstStartedAt: now - 1000, state: 'dead', finishedAt: now - 5}),
			job({id: 'p', state: 'pending'}),
			job({id: 'r', state: 'running'}),
			job({id: 'f', state: 'failed'}),
			job({id: 'ancient', createdAt: 0, firstStartedAt: 1, finishedAt: 2}),
		];
		const stats = computeStats(jobs, {lastSuccess: {}}, {now, staleAfterMs: DAY});
		expect(stats).toMatchObject({depth: 3, pending: 1, running: 1, failed: 1, dead: 1, finished24h: 20});
		expect(stats.successRate24h).toBeCloseTo(19 / 20);
		expect(stats.waitP50Ms).toBe(90);
		expect(stats.waitP95Ms).toBe(180);
		expect(percentile([], 0.5)).toBeUndefined();
		expect(stats.lastSync['app']).toMatchObject({at: now - 10, stale: false});
	});
});
