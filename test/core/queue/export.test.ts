import {mkdir, readdir, stat, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {DEFAULT_SYNC_CONFIG} from '../../../source/core/queue/config.js';
import {enqueueJob} from '../../../source/core/queue/enqueue.js';
import {readJob} from '../../../source/core/queue/jobs.js';
import type {ExportTarget} from '../../../source/core/queue/types.js';
import {runWorker} from '../../../source/core/queue/worker.js';
import {tempDirs} from '../../helpers/tmp.js';
import {FAST_RETRY, git, makeBareRemote, makeGitProject, makeWorkspace, testEnv} from './helpers.js';

const dirs = tempDirs('queue-export');
afterEach(async () => dirs.cleanupAll());

const config = {...DEFAULT_SYNC_CONFIG, retry: FAST_RETRY};

async function filesOf(dir: string): Promise<string[]> {
	const entries = await readdir(dir, {recursive: true, withFileTypes: true});
	return entries.filter(entry => entry.isFile()).map(entry => path.relative(dir, path.join(entry.parentPath, entry.name))).filter(file => !file.startsWith('.git/')).sort();
}

describe('public export target', () => {
	it('publishes the tracked files without .git or private paths, and only what changed next time', async () => {
		const root = await dirs.create();
		const ws = await makeWorkspace(root);
		const project = await makeGitProject(ws, 'lib', 'public', {
			'README.md': '# lib\n',
			'src/index.ts': 'export {};\n',
			'internal/secret.md': 'do not publish\n',
			'notes.txt': 'private note\n',
			'docs/guide.md': 'guide\n',
		});
		// Untracked and ignored files never travel.
		await writeFile(path.join(project, 'untracked.txt'), 'local only\n');
		const publicRepo = await makeBareRemote(path.join(root, 'public.git'));
		const target: ExportTarget = {name: 'public', kind: 'export', repo: publicRepo, privatePaths: ['internal/', 'notes.txt']};

		const first = await enqueueJob(ws, {project: 'lib', target, stage: 'public'});
		await runWorker(ws, {once: true, config, env: testEnv()});
		const job = await readJob(ws, first.job.id);
		expect(job.state, JSON.stringify(job.lastError)).toBe('done');

		const clone = path.join(root, 'check');
		await git(root, 'clone', '-q', publicRepo, clone);
		expect(await filesOf(clone)).toEqual(['README.md', 'docs/guide.md', 'src/index.ts']);
		expect(await git(clone, 'log', '--format=%s')).toMatch(/^Export of lib at [0-9a-f]+$/);
		// The clone cws keeps is bare and private.
		expect((await stat(path.join(root, '.cws', 'exports', 'lib'))).mode & 0o777).toBe(0o700);

		// A second export after a change adds one commit on top; nothing is forced.
		await mkdir(path.join(project, 'src'), {recursive: true});
		await writeFile(path.join(project, 'src', 'extra.ts'), 'export const x = 1;\n');
		await git(project, 'add', 'src/extra.ts');
		await git(project, 'commit', '-q', '-m', 'more');
		const second = await enqueueJob(ws, {project: 'lib', target, stage: 'public'});
		await runWorker(ws, {once: true, config, env: testEnv()});
		expect((await readJob(ws, second.job.id)).state).toBe('done');
		await git(clone, 'pull', '-q', '--ff-only');
		expect(await filesOf(clone)).toEqual(['README.md', 'docs/guide.md', 'src/extra.ts', 'src/index.ts']);
		expect((await git(clone, 'log', '--format=%s')).split('\n')).toHaveLength(2);

		// Nothing changed: no empty commit.
		const third = await enqueueJob(ws, {project: 'lib', target, stage: 'public'});
		await runWorker(ws, {once: true, config, env: testEnv()});
		expect((await readJob(ws, third.job.id)).result?.message).toMatch(/already matches/);
		await git(clone, 'pull', '-q', '--ff-only');
		expect((await git(clone, 'log', '--format=%s')).split('\n')).toHaveLength(2);
	});
});
