import {writeFile} from 'node:fs/promises';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {DEFAULT_SYNC_CONFIG} from '../../../source/core/queue/config.js';
import {enqueueJob} from '../../../source/core/queue/enqueue.js';
import {readJob} from '../../../source/core/queue/jobs.js';
import {readJobLog} from '../../../source/core/queue/log.js';
import {runWorker} from '../../../source/core/queue/worker.js';
import {tempDirs} from '../../helpers/tmp.js';
import {allRefs, FAST_RETRY, git, makeBareRemote, makeGitProject, makeWorkspace, refOf, testEnv} from './helpers.js';

const dirs = tempDirs('queue-git');
afterEach(async () => dirs.cleanupAll());

const config = {...DEFAULT_SYNC_CONFIG, retry: FAST_RETRY};
const origin = {name: 'origin', kind: 'git', remote: 'origin', autoCommit: false} as const;

describe('git push target', () => {
	it('pushes the branch to a bare remote', async () => {
		const root = await dirs.create();
		const ws = await makeWorkspace(root);
		const project = await makeGitProject(ws, 'web');
		const remote = await makeBareRemote(path.join(root, 'remote.git'));
		await git(project, 'remote', 'add', 'origin', remote);

		const {job} = await enqueueJob(ws, {project: 'web', target: origin, stage: 'stable', maxAttempts: 3});
		const summary = await runWorker(ws, {once: true, config, env: testEnv()});

		expect(summary.done).toBe(1);
		const done = await readJob(ws, job.id);
		expect(done.state).toBe('done');
		const head = await refOf(project, 'HEAD');
		expect(await refOf(remote, 'refs/heads/main')).toBe(head);
		expect(done.result?.head).toBe(head);
		const log = await readJobLog(ws, job.id);
		const pushes = log.filter(entry => entry.type === 'command' && entry.argv[1] === 'push');
		expect(pushes).toHaveLength(1);
		expect(pushes[0]).toMatchObject({exitCode: 0, argv: ['git', 'push', '--porcelain', '--', 'origin', 'refs/heads/main:refs/heads/main']});
	});

	it('refuses to push to a diverged remote: conflict with instructions, remote untouched', async () => {
		const root = await dirs.create();
		const ws = await makeWorkspace(root);
		const project = await makeGitProject(ws, 'api');
		const remote = await makeBareRemote(path.join(root, 'remote.git'));
		await git(project, 'remote', 'add', 'origin', remote);
		await git(project, 'push', '-q', 'origin', 'main');
		// Someone else pushes to the remote from another clone.
		const other = path.join(root, 'other');
		await git(root, 'clone', '-q', remote, other);
		await writeFile(path.join(other, 'theirs.txt'), 'theirs\n');
		await git(other, 'add', '-A');
		await git(other, 'commit', '-q', '-m', 'theirs');
		await git(other, 'push', '-q', 'origin', 'main');
		// And we commit locally.
		await writeFile(path.join(project, 'ours.txt'), 'ours\n');
		await git(project, 'add', '-A');
		await git(project, 'commit', '-q', '-m', 'ours');
		const before = await allRefs(remote);

		const {job} = await enqueueJob(ws, {project: 'api', target: origin, stage: 'stable', maxAttempts: 3});
		await runWorker(ws, {once: true, config, env: testEnv()});

		const after = await readJob(ws, job.id);
		expect(after.state).toBe('conflict');
		expect(after.lastError?.code).toBe('DIVERGED');
		expect(after.resolution?.join('\n')).toContain('git merge origin/main');
		expect(after.resolution?.join('\n')).toContain('cws sync api --target origin');
		expect(await allRefs(remote)).toBe(before);
		const log = await readJobLog(ws, job.id);
		expect(log.some(entry => entry.type === 'command' && entry.argv[1] === 'push')).toBe(false);
		expect(log.some(entry => entry.type === 'command' && entry.argv.some(arg => /force|^-f$|reset/.test(arg)))).toBe(false);
	});

	it('with autoCommit, commits pending changes first; without it, pushes only what is committed', async () => {
		const root = await dirs.create();
		const ws = await makeWorkspace(root);
		const project = await makeGitProject(ws, 'notes');
		const remote = await makeBareRemote(path.join(root, 'remote.git'));
		await git(project, 'remote', 'add', 'origin', remote);
		await writeFile(path.join(project, 'draft.md'), 'work in progress\n');

		const plain = await enqueueJob(ws, {project: 'notes', target: origin, stage: 'stable'});
		await runWorker(ws, {once: true, config, env: testEnv()});
		expect((await readJob(ws, plain.job.id)).state).toBe('done');
		expect(await git(remote, 'ls-tree', '--name-only', 'main')).toBe('README.md');
		expect(await git(project, 'status', '--porcelain')).toBe('?? draft.md');

		const saving = await enqueueJob(ws, {project: 'notes', target: {...origin, name: 'save', autoCommit: true}, stage: 'stable'});
		await runWorker(ws, {once: true, config, env: testEnv()});
		expect((await readJob(ws, saving.job.id)).state).toBe('done');
		expect((await git(remote, 'ls-tree', '--name-only', 'main')).split('\n')).toEqual(['README.md', 'draft.md']);
		expect(await git(project, 'status', '--porcelain')).toBe('');
		expect(await git(remote, 'log', '-1', '--format=%s', 'main')).toMatch(/^Save work in progress before sync/);
	});

	it('retries a remote that does not exist with backoff, then gives up as dead', async () => {
		const root = await dirs.create();
		const ws = await makeWorkspace(root);
		const project = await makeGitProject(ws, 'cli');
		await git(project, 'remote', 'add', 'origin', path.join(root, 'no-such-remote.git'));

		const {job} = await enqueueJob(ws, {project: 'cli', target: origin, stage: 'stable', maxAttempts: 3});
		const started = Date.now();
		await runWorker(ws, {drain: true, config, env: testEnv(), pollMs: 10});
		const after = await readJob(ws, job.id);

		expect(after.state).toBe('dead');
		expect(after.attempt).toBe(3);
		expect(after.lastError?.code).toBe('REMOTE_FAILED');
		const states = (await readJobLog(ws, job.id)).flatMap(entry => (entry.type === 'state' ? [entry.to] : []));
		expect(states).toEqual(['pending', 'running', 'failed', 'running', 'failed', 'running', 'dead']);
		// Two backoffs of at least base·2^(n−1)·(1−jitter): 10 ms and 20 ms.
		expect(Date.now() - started).toBeGreaterThanOrEqual(30);
	});
});
