import {access, chmod, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {execa} from 'execa';
import {afterEach, describe, expect, it} from 'vitest';
import {moveProject} from '../../../source/core/board/index.js';
import {runCommand, type CommandRunner} from '../../../source/core/queue/exec.js';
import {DEFAULT_SYNC_CONFIG} from '../../../source/core/queue/config.js';
import {enqueueJob} from '../../../source/core/queue/enqueue.js';
import {readJob, type QueueWorkspace} from '../../../source/core/queue/jobs.js';
import {readJobLog} from '../../../source/core/queue/log.js';
import type {LogEntry} from '../../../source/core/queue/types.js';
import {runWorker} from '../../../source/core/queue/worker.js';
import {tempDirs} from '../../helpers/tmp.js';
import {FAST_RETRY, git, makeBareRemote, makeGitProject, makeWorkspace, refOf, testEnv} from './helpers.js';

const dirs = tempDirs('queue-moved-git');
afterEach(async () => dirs.cleanupAll());

const config = {...DEFAULT_SYNC_CONFIG, retry: FAST_RETRY};
const origin = {name: 'origin', kind: 'git', remote: 'origin', autoCommit: false} as const;

/** The real process runner, except that cws moves the project to `to` right before the first command `when` picks. */
function moveBefore(ws: QueueWorkspace, name: string, to: 'active' | 'sandbox', when: (argv: readonly string[]) => boolean): {exec: CommandRunner; moved: () => boolean} {
	let moved = false;
	const exec: CommandRunner = async (argv, options) => {
		if (!moved && when(argv)) {
			moved = true;
			await moveProject(ws, name, to);
		}

		return runCommand(argv, options);
	};
	return {exec, moved: () => moved};
}

/** A stable project whose main is one commit ahead of its bare remote, so every push step runs. */
async function aheadOfRemote(root: string, ws: QueueWorkspace, name: string): Promise<{project: string; remote: string}> {
	const project = await makeGitProject(ws, name, 'stable');
	const remote = await makeBareRemote(path.join(root, `${name}.git`));
	await git(project, 'remote', 'add', 'origin', remote);
	await git(project, 'push', '-q', 'origin', 'main');
	await writeFile(path.join(project, 'more.txt'), 'more\n');
	await git(project, 'add', '-A');
	await git(project, 'commit', '-q', '-m', 'more');
	return {project, remote};
}

function commands(log: LogEntry[]) {
	return log.flatMap(entry => (entry.type === 'command' ? [entry] : []));
}

function states(log: LogEntry[]): string[] {
	return log.flatMap(entry => (entry.type === 'state' ? [entry.to] : []));
}

/** Every step of a push, named by git's first two words, in the order the runner takes them. */
const STEPS = [
	'rev-parse --show-toplevel',
	'remote get-url',
	'symbolic-ref --quiet',
	'rev-parse --verify',
	'ls-remote --heads',
	'fetch --no-tags',
	'merge-base --is-ancestor',
	'push --porcelain',
];

describe('git push of a project moved to another stage mid-run', () => {
	it.each(STEPS)('moved right before `git %s`: pushed from the new place in the same attempt', async step => {
		const root = await dirs.create();
		const ws = await makeWorkspace(root);
		const {project, remote} = await aheadOfRemote(root, ws, 'web');
		const moved = path.join(ws.paths.stageDir.active, 'web');
		const inject = moveBefore(ws, 'web', 'active', argv => argv.slice(1, 3).join(' ') === step);

		const {job} = await enqueueJob(ws, {project: 'web', target: origin, stage: 'stable', maxAttempts: 3});
		await runWorker(ws, {once: true, config, env: testEnv(), exec: inject.exec});

		expect(inject.moved()).toBe(true);
		await expect(access(project)).rejects.toThrow(/ENOENT/);
		const after = await readJob(ws, job.id);
		expect(after.state, JSON.stringify(after.lastError)).toBe('done');
		expect(after.attempt).toBe(1);
		const head = await refOf(moved, 'refs/heads/main');
		expect(await refOf(remote, 'refs/heads/main')).toBe(head);
		expect(after.result?.head).toBe(head);

		const log = await readJobLog(ws, job.id);
		expect(states(log)).toEqual(['pending', 'running', 'done']);
		expect(log.some(entry => entry.type === 'note' && entry.message.includes(`running again from ${moved}`))).toBe(true);
		// The answer came from commands run in the new place.
		expect(commands(log).at(-1)).toMatchObject({cwd: moved, exitCode: 0});
	});

	it('a push blocked in a pre-push hook while cws moves the project ends done, checked again from the new place', async () => {
		const root = await dirs.create();
		const ws = await makeWorkspace(root);
		const {project, remote} = await aheadOfRemote(root, ws, 'api');
		const started = path.join(root, 'hook-started');
		const gate = path.join(root, 'hook-gate');
		await execa('mkfifo', [gate]);
		const hook = path.join(project, '.git', 'hooks', 'pre-push');
		await writeFile(hook, `#!/bin/sh\necho started > '${started}'\nread line < '${gate}'\nexit 0\n`);
		await chmod(hook, 0o755);

		const {job} = await enqueueJob(ws, {project: 'api', target: origin, stage: 'stable', maxAttempts: 3});
		const worker = runWorker(ws, {once: true, config, env: testEnv()});
		await until(async () => access(started).then(() => true, () => false));
		await moveProject(ws, 'api', 'active');
		await writeFile(gate, 'go\n');
		await worker;

		const moved = path.join(ws.paths.stageDir.active, 'api');
		const after = await readJob(ws, job.id);
		expect(after.state, JSON.stringify(after.lastError)).toBe('done');
		expect(after.attempt).toBe(1);
		expect(await refOf(remote, 'refs/heads/main')).toBe(await refOf(moved, 'refs/heads/main'));
		const log = await readJobLog(ws, job.id);
		expect(commands(log).filter(entry => entry.argv[1] === 'push')).toHaveLength(1);
		expect(commands(log).filter(entry => entry.cwd === moved).length).toBeGreaterThan(0);
	}, 30_000);

	it('a remote that really diverged is still a conflict, with the resolution in the new place', async () => {
		const root = await dirs.create();
		const ws = await makeWorkspace(root);
		const {remote} = await aheadOfRemote(root, ws, 'lib');
		const other = path.join(root, 'other');
		await git(root, 'clone', '-q', remote, other);
		await writeFile(path.join(other, 'theirs.txt'), 'theirs\n');
		await git(other, 'add', '-A');
		await git(other, 'commit', '-q', '-m', 'theirs');
		await git(other, 'push', '-q', 'origin', 'main');
		const before = await refOf(remote, 'refs/heads/main');
		const inject = moveBefore(ws, 'lib', 'active', argv => argv[1] === 'merge-base');

		const {job} = await enqueueJob(ws, {project: 'lib', target: origin, stage: 'stable', maxAttempts: 3});
		await runWorker(ws, {once: true, config, env: testEnv(), exec: inject.exec});

		expect(inject.moved()).toBe(true);
		const after = await readJob(ws, job.id);
		expect(after.state).toBe('conflict');
		expect(after.lastError?.code).toBe('DIVERGED');
		expect(after.resolution?.[0]).toBe(`cd ${path.join(ws.paths.stageDir.active, 'lib')}`);
		expect(await refOf(remote, 'refs/heads/main')).toBe(before);
	});

	it('a really detached HEAD is still dead, and a folder without git is still not a repository', async () => {
		const root = await dirs.create();
		const ws = await makeWorkspace(root);
		const {project} = await aheadOfRemote(root, ws, 'tool');
		await git(project, 'checkout', '-q', '--detach');
		const inject = moveBefore(ws, 'tool', 'active', argv => argv[1] === 'symbolic-ref');
		const detached = await enqueueJob(ws, {project: 'tool', target: origin, stage: 'stable', maxAttempts: 3});
		await runWorker(ws, {once: true, config, env: testEnv(), exec: inject.exec});
		expect(inject.moved()).toBe(true);
		const detachedAfter = await readJob(ws, detached.job.id);
		expect(detachedAfter.state).toBe('dead');
		expect(detachedAfter.lastError?.code).toBe('DETACHED_HEAD');

		const plain = path.join(ws.paths.stageDir.stable, 'plain');
		await execa('mkdir', ['-p', plain]);
		await writeFile(path.join(plain, 'notes.txt'), 'no git here\n');
		const injectPlain = moveBefore(ws, 'plain', 'sandbox', argv => argv[1] === 'rev-parse');
		const none = await enqueueJob(ws, {project: 'plain', target: origin, stage: 'stable', maxAttempts: 3});
		await runWorker(ws, {once: true, config, env: testEnv(), exec: injectPlain.exec});
		expect(injectPlain.moved()).toBe(true);
		const noneAfter = await readJob(ws, none.job.id);
		expect(noneAfter.state).toBe('dead');
		expect(noneAfter.lastError?.code).toBe('NOT_A_REPO');
		expect(noneAfter.lastError?.message).toContain(path.join(ws.paths.stageDir.sandbox, 'plain'));
	});

	it('a project archived mid-run is retried, not judged', async () => {
		const root = await dirs.create();
		const ws = await makeWorkspace(root);
		await aheadOfRemote(root, ws, 'old');
		let archived = false;
		const exec: CommandRunner = async (argv, options) => {
			if (!archived && argv[1] === 'merge-base') {
				archived = true;
				// A folder taken away outside cws (cws archive takes the same path out of the stages).
				await execa('mv', ['--', path.join(ws.paths.stageDir.stable, 'old'), path.join(root, 'elsewhere')]);
			}

			return runCommand(argv, options);
		};

		const {job} = await enqueueJob(ws, {project: 'old', target: origin, stage: 'stable', maxAttempts: 3});
		// A long backoff keeps the retry out of this worker's pass.
		await runWorker(ws, {once: true, config: {...config, retry: {...FAST_RETRY, baseMs: 600_000, capMs: 600_000}}, env: testEnv(), exec});
		expect(archived).toBe(true);
		const after = await readJob(ws, job.id);
		expect(after.state).toBe('failed');
		expect(after.lastError?.code).toBe('PROJECT_MOVED');
	});
});

/** Waits for `check` to hold (a hook reaching its gate); fails the test after 20 s. */
async function until(check: () => Promise<boolean>): Promise<void> {
	const deadline = Date.now() + 20_000;
	while (!(await check())) {
		if (Date.now() > deadline) {
			throw new Error('timed out waiting for the hook');
		}

		await new Promise(resolve => setTimeout(resolve, 20));
	}
}
