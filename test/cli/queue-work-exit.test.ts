/**
 * `cws queue work` exit codes: a --once run answers whether everything due
 * went through (1 when a job ended dead), while a long-running worker
 * stopped by SIGTERM has done its job and exits 0 whatever its jobs did
 * (systemd and the like would otherwise count every stop as a failure).
 */
import path from 'node:path';
import {execa} from 'execa';
import {afterEach, describe, expect, it} from 'vitest';
import {openWorkspace} from '../../source/core/workspace.js';
import {tempDirs} from '../helpers/tmp.js';
import {git, GIT_ENV, makeBareRemote, makeGitProject} from '../core/queue/helpers.js';
import {CLI_PATH} from './run-cws.js';

const dirs = tempDirs('cli-queue-work');
afterEach(async () => dirs.cleanupAll());

const env = (home: string) => ({...process.env, ...GIT_ENV, HOME: home, CI: 'true', CWS_WORKSPACE: undefined, NODE_OPTIONS: undefined});

/** A workspace whose one push job must end dead: the project's HEAD is detached. */
async function workspaceWithDeadJob(): Promise<{root: string; home: string}> {
	const home = await dirs.create();
	const root = path.join(home, 'ws');
	const ws = await openWorkspace(root);
	const project = await makeGitProject(ws, 'web', 'stable');
	await git(project, 'remote', 'add', 'origin', await makeBareRemote(path.join(home, 'web.git')));
	await git(project, 'checkout', '--quiet', '--detach');
	const queued = await execa(process.execPath, [CLI_PATH, 'sync', 'web', '--target', 'origin', '--workspace', root], {env: env(home), reject: false});
	expect(queued.exitCode, queued.stderr).toBe(0);
	return {root, home};
}

describe('cws queue work exit codes', () => {
	it('a long-running worker stopped by SIGTERM exits 0 after a job it ran ended dead', async () => {
		const {root, home} = await workspaceWithDeadJob();
		const worker = execa(process.execPath, [CLI_PATH, 'queue', 'work', '--workspace', root], {env: env(home), reject: false, stdin: 'ignore'});
		let stdout = '';
		const sawDead = new Promise<void>(resolve => {
			worker.stdout?.on('data', (chunk: Buffer) => {
				stdout += chunk.toString();
				if (/web → origin: dead/.test(stdout)) resolve();
			});
		});
		await Promise.race([sawDead, worker.then(() => undefined)]);
		expect(stdout).toMatch(/web → origin: dead/);
		worker.kill('SIGTERM');
		const result = await worker;
		expect(result.exitCode, result.stderr).toBe(0);
		expect(result.stdout).toContain('worker stopped: 0 done, 0 to retry, 1 dead');
	}, 60_000);

	it('a --once run exits 1 when a job it ran ended dead', async () => {
		const {root, home} = await workspaceWithDeadJob();
		const result = await execa(process.execPath, [CLI_PATH, 'queue', 'work', '--once', '--workspace', root], {env: env(home), reject: false, stdin: 'ignore', timeout: 30_000});
		expect(result.exitCode, result.stderr).toBe(1);
		expect(result.stdout).toContain('worker stopped: 0 done, 0 to retry, 1 dead');
	}, 60_000);
});
