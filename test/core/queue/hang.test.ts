import {readFileSync} from 'node:fs';
import {chmod, mkdir, readFile, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import {afterEach, describe, expect, it} from 'vitest';
import {DEFAULT_SYNC_CONFIG} from '../../../source/core/queue/config.js';
import {enqueueJob} from '../../../source/core/queue/enqueue.js';
import {readJob} from '../../../source/core/queue/jobs.js';
import {readJobLog} from '../../../source/core/queue/log.js';
import type {GitTarget} from '../../../source/core/queue/types.js';
import {runWorker} from '../../../source/core/queue/worker.js';
import {tempDirs} from '../../helpers/tmp.js';
import {git, makeBareRemote, makeGitProject, makeWorkspace, testEnv} from './helpers.js';

const dirs = tempDirs('queue-hang');
afterEach(async () => dirs.cleanupAll());

/** Running (a zombie waiting for a busy init to reap it is not). */
function alive(pid: number): boolean {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
	} catch {
		return false;
	}
}

describe('a hanging remote', () => {
	it('times out, kills the whole command tree, backs off, and the other jobs keep flowing', async () => {
		const root = await dirs.create();
		const ws = await makeWorkspace(root);
		// An ssh that never answers (an unreachable host that swallows packets).
		const bin = path.join(root, 'bin');
		await mkdir(bin);
		const pids = path.join(root, 'ssh-pids');
		await writeFile(path.join(bin, 'ssh'), `#!/bin/sh\necho $$ >> '${pids}'\nexec sleep 600\n`);
		await chmod(path.join(bin, 'ssh'), 0o755);

		const hung = await makeGitProject(ws, 'hung');
		await git(hung, 'remote', 'add', 'origin', 'ssh://git.example.invalid/hung.git');
		const push: GitTarget = {name: 'origin', kind: 'git', remote: 'origin', autoCommit: false, timeoutMs: 3000};
		const hanging = await enqueueJob(ws, {project: 'hung', target: push, stage: 'stable', maxAttempts: 2});
		const others = [];
		for (const name of ['a', 'b', 'c']) {
			const dir = await makeGitProject(ws, name);
			await git(dir, 'remote', 'add', 'origin', await makeBareRemote(path.join(root, `${name}.git`)));
			others.push(await enqueueJob(ws, {project: name, target: push, stage: 'stable'}));
		}

		const config = {...DEFAULT_SYNC_CONFIG, concurrency: 2, retry: {attempts: 2, baseMs: 200, capMs: 400, jitter: 0}};
		const started = Date.now();
		await runWorker(ws, {drain: true, config, env: testEnv({PATH: `${bin}:${process.env['PATH'] ?? ''}`}), pollMs: 20});
		const elapsed = Date.now() - started;

		const job = await readJob(ws, hanging.job.id);
		expect(job.state).toBe('dead');
		expect(job.attempt).toBe(2);
		expect(job.lastError?.code).toBe('TIMEOUT');
		expect(job.lastError?.message).toMatch(/timed out after/);
		const commands = (await readJobLog(ws, hanging.job.id)).filter(entry => entry.type === 'command');
		expect(commands.filter(entry => entry.timedOut)).toHaveLength(2);
		for (const entry of commands.filter(entry => entry.timedOut)) {
			expect(entry.durationMs).toBeGreaterThanOrEqual(2900);
			expect(entry.durationMs).toBeLessThan(8000);
		}

		// The others finished while the first attempt of the hanging one was still waiting.
		const firstTimeout = commands.find(entry => entry.timedOut)!.at;
		for (const other of others) {
			const finished = await readJob(ws, other.job.id);
			expect(finished.state).toBe('done');
			expect(finished.finishedAt!).toBeLessThan(firstTimeout);
		}

		// Two timeouts, one 200 ms backoff: well under the 120 s default.
		expect(elapsed).toBeLessThan(20_000);
		// The ssh git started was killed with its process group, not left behind.
		await sleep(100);
		const sshPids = (await readFile(pids, 'utf8')).split('\n').filter(Boolean).map(Number);
		expect(sshPids.length).toBeGreaterThanOrEqual(2);
		expect(sshPids.filter(pid => alive(pid))).toEqual([]);
	});
});
