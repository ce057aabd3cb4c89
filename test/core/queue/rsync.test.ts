import {mkdir, readFile, readdir, rm, stat, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {DEFAULT_SYNC_CONFIG} from '../../../source/core/queue/config.js';
import {enqueueJob} from '../../../source/core/queue/enqueue.js';
import {readJob} from '../../../source/core/queue/jobs.js';
import {readJobLog} from '../../../source/core/queue/log.js';
import type {RsyncTarget} from '../../../source/core/queue/types.js';
import {runWorker} from '../../../source/core/queue/worker.js';
import {tempDirs} from '../../helpers/tmp.js';
import {FAST_RETRY, makeGitProject, makeWorkspace, testEnv} from './helpers.js';

const dirs = tempDirs('queue-rsync');
afterEach(async () => dirs.cleanupAll());

const config = {...DEFAULT_SYNC_CONFIG, retry: FAST_RETRY};

/** Every file below `dir` with its content, relative paths sorted. */
async function snapshot(dir: string): Promise<Record<string, string>> {
	const out: Record<string, string> = {};
	for (const entry of await readdir(dir, {recursive: true, withFileTypes: true})) {
		if (entry.isFile()) {
			const file = path.join(entry.parentPath, entry.name);
			out[path.relative(dir, file)] = (await readFile(file)).toString('base64');
		}
	}

	return out;
}

describe('rsync backup target', () => {
	it('copies the project (with .git) to a local path, then transfers a change on the next run', async () => {
		const root = await dirs.create();
		const ws = await makeWorkspace(root);
		const project = await makeGitProject(ws, 'notes', 'active', {'a.txt': 'one\n', 'sub/b.txt': 'two\n', 'build/out.bin': 'skip me\n'});
		const dest = path.join(root, 'backups', 'deep', 'notes');
		const target: RsyncTarget = {name: 'backup', kind: 'rsync', dest, excludes: ['/build/']};

		const first = await enqueueJob(ws, {project: 'notes', target, stage: 'active'});
		await runWorker(ws, {once: true, config, env: testEnv()});
		expect((await readJob(ws, first.job.id)).state).toBe('done');
		const source = await snapshot(project);
		delete source['build/out.bin'];
		expect(await snapshot(dest)).toEqual(source);
		expect(Object.keys(source).some(file => file.startsWith('.git/'))).toBe(true);
		expect((await stat(dest)).mode & 0o777).toBe(0o700);

		await writeFile(path.join(project, 'a.txt'), 'one, changed\n');
		await writeFile(path.join(project, 'c.txt'), 'new\n');
		await rm(path.join(project, 'sub'), {recursive: true});
		const second = await enqueueJob(ws, {project: 'notes', target, stage: 'active'});
		expect(second.job.id).not.toBe(first.job.id);
		await runWorker(ws, {once: true, config, env: testEnv()});
		expect((await readJob(ws, second.job.id)).state).toBe('done');
		expect(await readFile(path.join(dest, 'a.txt'), 'utf8')).toBe('one, changed\n');
		expect(await readFile(path.join(dest, 'c.txt'), 'utf8')).toBe('new\n');
		await expect(stat(path.join(dest, 'sub'))).rejects.toThrow(/ENOENT/);

		const [command] = (await readJobLog(ws, second.job.id)).filter(entry => entry.type === 'command');
		expect(command).toMatchObject({
			exitCode: 0,
			argv: ['rsync', '-a', '--delete-after', '--protect-args', '-e', 'ssh -o BatchMode=yes', '--exclude=/build/', '--', `${project}/`, dest],
		});
	});

	it('retries when the destination cannot be written, and the next job still runs', async () => {
		const root = await dirs.create();
		const ws = await makeWorkspace(root);
		await makeGitProject(ws, 'docs', 'active');
		// A file where the backup's parent folder should be: mkdir fails.
		await mkdir(path.join(root, 'backups'), {recursive: true});
		await writeFile(path.join(root, 'backups', 'blocked'), 'not a folder');
		const bad = await enqueueJob(ws, {project: 'docs', target: {name: 'bad', kind: 'rsync', dest: path.join(root, 'backups', 'blocked', 'docs'), excludes: []}, stage: 'active', maxAttempts: 2});
		const good = await enqueueJob(ws, {project: 'docs', target: {name: 'good', kind: 'rsync', dest: path.join(root, 'backups', 'ok', 'docs'), excludes: []}, stage: 'active'});
		await runWorker(ws, {drain: true, config, env: testEnv(), pollMs: 10});
		const failed = await readJob(ws, bad.job.id);
		expect(failed.state).toBe('dead');
		expect(failed.attempt).toBe(2);
		expect((await readJob(ws, good.job.id)).state).toBe('done');
	});
});
