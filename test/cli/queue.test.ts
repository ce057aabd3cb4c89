import {readFile, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {queueCommands} from '../../source/cli/queue.js';
import {runCli} from '../../source/cli/main.js';
import {openWorkspace} from '../../source/core/workspace.js';
import {tempDirs} from '../helpers/tmp.js';
import {git, GIT_ENV, makeBareRemote, makeGitProject, refOf} from '../core/queue/helpers.js';

const dirs = tempDirs('cli-queue');
afterEach(async () => dirs.cleanupAll());

/** Runs `cws <args>` in this process against the queue commands. */
async function cws(root: string, ...args: string[]): Promise<{code: number; stdout: string; stderr: string}> {
	let stdout = '';
	let stderr = '';
	const code = await runCli({
		argv: [...args, '--workspace', root],
		env: {...process.env, ...GIT_ENV},
		version: 'test',
		commands: queueCommands,
		write: {stdout: chunk => void (stdout += chunk), stderr: chunk => void (stderr += chunk)},
		interactive: false,
		runTui: async () => 1,
	});
	return {code, stdout, stderr};
}

describe('cws sync and cws queue', () => {
	it('queues, lists, runs, logs, cancels and retries jobs with clear messages', async () => {
		const root = path.join(await dirs.create(), 'ws');
		const ws = await openWorkspace(root);
		const project = await makeGitProject(ws, 'web', 'stable');
		const remote = await makeBareRemote(path.join(root, '..', 'web.git'));
		await git(project, 'remote', 'add', 'origin', remote);
		const backups = path.join(root, '..', 'backups');
		await writeFile(ws.paths.config, JSON.stringify({sync: {backupRoot: backups}}, null, 2));

		let result = await cws(root, 'sync', 'web');
		expect(result, result.stderr).toMatchObject({code: 0});
		const lines = result.stdout.trim().split('\n');
		expect(lines).toHaveLength(2);
		expect(lines[0]).toMatch(/^[0-9a-z]{9}-[0-9a-f]{8} {2}web → backup \(rsync\) {2}queued$/);
		expect(lines[1]).toMatch(/^[0-9a-z]{9}-[0-9a-f]{8} {2}web → origin \(git\) {2}queued$/);
		const pushId = lines[1]!.split(' ')[0]!;

		result = await cws(root, 'sync', 'web', '--target', 'origin');
		expect(result.stdout).toContain(`${pushId}  web → origin (git)  already queued (pending)`);

		result = await cws(root, 'sync', 'web', '--target', 'nope');
		expect(result.code).toBe(1);
		expect(result.stderr).toContain('Project web (stable) has no sync target named "nope".');
		expect(result.stderr).toContain('Its targets: backup, origin.');

		result = await cws(root, 'queue', '--json');
		const listed = JSON.parse(result.stdout) as {jobs: Array<{id: string; state: string}>; stats: {depth: number}};
		expect(listed.jobs.map(job => job.state)).toEqual(['pending', 'pending']);
		expect(listed.stats.depth).toBe(2);

		result = await cws(root, 'queue', 'work', '--once');
		expect(result, result.stderr).toMatchObject({code: 0});
		expect(result.stdout).toMatch(/web → origin: done — Pushed [0-9a-f]{12} to origin\/main\./);
		expect(result.stdout).toContain('worker stopped: 2 done');
		expect(await refOf(remote, 'refs/heads/main')).toBe(await refOf(project, 'HEAD'));
		expect(await readFile(path.join(backups, 'web', 'README.md'), 'utf8')).toBe('# hi\n');

		result = await cws(root, 'queue');
		expect(result.stdout).toMatch(/^ID\s+STATE\s+PROJECT\s+TARGET\s+TRY\s+NOTE$/m);
		expect(result.stdout).toMatch(new RegExp(`^${pushId}\\s+done\\s+web\\s+origin\\s+1/5\\s+\\d+s ago: Pushed`, 'm'));
		expect(result.stdout).toMatch(/depth 0 \(0 running, 0 pending, 0 retrying\) · wait p50 \d+s p95 \d+s · 100% ok of 2 in 24 h/);

		result = await cws(root, 'queue', 'log', pushId.slice(0, 12));
		expect(result, result.stderr).toMatchObject({code: 0});
		expect(result.stdout).toContain('$ git push --porcelain -- origin refs/heads/main:refs/heads/main    (exit 0,');
		expect(result.stdout).toMatch(/new → pending: queued \(manual\)/);

		result = await cws(root, 'queue', 'retry', pushId);
		expect(result.code).toBe(1);
		expect(result.stderr).toContain('already finished successfully');
		expect(result.stderr).toContain('cws sync web --target origin');

		result = await cws(root, 'sync', 'web', '--target', 'origin');
		const nextId = result.stdout.split(' ')[0]!;
		expect(nextId).not.toBe(pushId);
		result = await cws(root, 'queue', 'cancel', nextId);
		expect(result, result.stderr).toMatchObject({code: 0, stdout: `Cancelled job ${nextId} (web → origin).\n`});
		result = await cws(root, 'queue', 'cancel', nextId);
		expect(result.code).toBe(1);
		expect(result.stderr).toContain('is cancelled; there is nothing to cancel');
		result = await cws(root, 'queue', 'retry', nextId);
		expect(result, result.stderr).toMatchObject({code: 0, stdout: `Job ${nextId} (web → origin) is queued again.\n`});

		result = await cws(root, 'queue', 'log', 'zzzz-nope');
		expect(result.code).toBe(1);
		expect(result.stderr).toContain('There is no job zzzz-nope');
	});

	it('names the bad field of an invalid config, and refuses bad flags with exit 2', async () => {
		const root = path.join(await dirs.create(), 'ws');
		const ws = await openWorkspace(root);
		await makeGitProject(ws, 'web', 'active');
		await writeFile(ws.paths.config, JSON.stringify({sync: {stages: {active: [{name: 'b', kind: 'rsync', dest: 'relative/path'}]}}}));

		let result = await cws(root, 'sync', 'web');
		expect(result.code).toBe(1);
		expect(result.stderr).toContain('sync.stages.active.targets[0].dest must be an absolute path or host:path (got "relative/path")');

		await writeFile(ws.paths.config, '{}');
		result = await cws(root, 'sync', 'web');
		expect(result.code).toBe(1);
		expect(result.stderr).toContain('Project web (active) has nowhere to sync to.');
		expect(result.stderr).toContain('backupRoot');

		result = await cws(root, 'queue', 'work', '--concurrency', 'many');
		expect(result.code).toBe(2);
		expect(result.stderr).toContain('--concurrency must be a whole number');
	});
});
