import {access, readdir, readFile} from 'node:fs/promises';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {moveProject} from '../../../source/core/board/index.js';
import {DEFAULT_SYNC_CONFIG} from '../../../source/core/queue/config.js';
import {enqueueJob} from '../../../source/core/queue/enqueue.js';
import {runCommand, type CommandRunner} from '../../../source/core/queue/exec.js';
import {readJob} from '../../../source/core/queue/jobs.js';
import {readJobLog} from '../../../source/core/queue/log.js';
import type {ExportTarget, LogEntry, RsyncTarget} from '../../../source/core/queue/types.js';
import {runWorker} from '../../../source/core/queue/worker.js';
import {tempDirs} from '../../helpers/tmp.js';
import {FAST_RETRY, git, makeBareRemote, makeGitProject, makeWorkspace, testEnv} from './helpers.js';

const dirs = tempDirs('queue-moved-backup');
afterEach(async () => dirs.cleanupAll());

const config = {...DEFAULT_SYNC_CONFIG, retry: FAST_RETRY};
const FILES = {'a.txt': 'one\n', 'sub/b.txt': 'two\n', 'sub/deep/c.txt': 'three\n'};

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

function commands(log: LogEntry[]) {
	return log.flatMap(entry => (entry.type === 'command' ? [entry] : []));
}

describe('backup and export of a project moved to another stage mid-run', () => {
	it('rsync: a project moved before the copy starts is backed up from its new place, not failed', async () => {
		const root = await dirs.create();
		const ws = await makeWorkspace(root);
		const project = await makeGitProject(ws, 'notes', 'stable', FILES);
		const dest = path.join(root, 'backups', 'notes');
		const target: RsyncTarget = {name: 'backup', kind: 'rsync', dest, excludes: []};
		let moved = false;
		const exec: CommandRunner = async (argv, options) => {
			if (!moved && argv[0] === 'rsync') {
				moved = true;
				await moveProject(ws, 'notes', 'active');
			}

			return runCommand(argv, options);
		};

		const {job} = await enqueueJob(ws, {project: 'notes', target, stage: 'stable', maxAttempts: 3});
		await runWorker(ws, {once: true, config, env: testEnv(), exec});

		expect(moved).toBe(true);
		await expect(access(project)).rejects.toThrow(/ENOENT/);
		const now = path.join(ws.paths.stageDir.active, 'notes');
		const after = await readJob(ws, job.id);
		expect(after.state, JSON.stringify(after.lastError)).toBe('done');
		expect(after.attempt).toBe(1);
		expect(await snapshot(dest)).toEqual(await snapshot(now));
		const rsyncs = commands(await readJobLog(ws, job.id));
		expect(rsyncs.map(entry => entry.argv.at(-2))).toEqual([`${project}/`, `${now}/`]);
		expect(rsyncs[1]).toMatchObject({exitCode: 0});
	});

	it('rsync: a copy cut short by the move is not reported as a backup; it is redone from the new place', async () => {
		const root = await dirs.create();
		const ws = await makeWorkspace(root);
		await makeGitProject(ws, 'docs', 'stable', FILES);
		const dest = path.join(root, 'backups', 'docs');
		const target: RsyncTarget = {name: 'backup', kind: 'rsync', dest, excludes: []};
		let cut = false;
		// The first copy gets only part of the folder (as if rsync was mid-walk when the folder left) and exits 0.
		const exec: CommandRunner = async (argv, options) => {
			if (cut || argv[0] !== 'rsync') {
				return runCommand(argv, options);
			}

			cut = true;
			const separator = argv.indexOf('--');
			const partial = await runCommand([...argv.slice(0, separator), '--exclude=/sub/', ...argv.slice(separator)], options);
			await moveProject(ws, 'docs', 'active');
			return {...partial, argv: [...argv]};
		};

		const {job} = await enqueueJob(ws, {project: 'docs', target, stage: 'stable', maxAttempts: 3});
		await runWorker(ws, {once: true, config, env: testEnv(), exec});

		expect(cut).toBe(true);
		const now = path.join(ws.paths.stageDir.active, 'docs');
		const after = await readJob(ws, job.id);
		expect(after.state, JSON.stringify(after.lastError)).toBe('done');
		expect(after.attempt).toBe(1);
		const copied = await snapshot(dest);
		expect(copied['sub/deep/c.txt']).toBeDefined();
		expect(copied).toEqual(await snapshot(now));
		expect(commands(await readJobLog(ws, job.id)).map(entry => entry.argv.at(-2))).toEqual([`${path.join(ws.paths.stageDir.stable, 'docs')}/`, `${now}/`]);
	});

	it('export: files that vanished with the moved folder are never published as deleted', async () => {
		const root = await dirs.create();
		const ws = await makeWorkspace(root);
		await makeGitProject(ws, 'lib', 'stable', FILES);
		const publicRepo = await makeBareRemote(path.join(root, 'public.git'));
		const target: ExportTarget = {name: 'public', kind: 'export', repo: publicRepo, privatePaths: []};
		let moved = false;
		// The folder leaves right after its file list was read: every file then looks deleted.
		const exec: CommandRunner = async (argv, options) => {
			const result = await runCommand(argv, options);
			if (!moved && argv[1] === 'ls-files') {
				moved = true;
				await moveProject(ws, 'lib', 'active');
			}

			return result;
		};

		const {job} = await enqueueJob(ws, {project: 'lib', target, stage: 'stable', maxAttempts: 3});
		await runWorker(ws, {once: true, config, env: testEnv(), exec});

		expect(moved).toBe(true);
		const after = await readJob(ws, job.id);
		expect(after.state, JSON.stringify(after.lastError)).toBe('done');
		expect(after.attempt).toBe(1);
		// One commit, with every file: no empty export went out first.
		expect((await git(publicRepo, 'log', '--format=%H', 'main')).split('\n')).toHaveLength(1);
		expect((await git(publicRepo, 'ls-tree', '-r', '--name-only', 'main')).split('\n')).toEqual(['a.txt', 'sub/b.txt', 'sub/deep/c.txt']);
		const pushes = commands(await readJobLog(ws, job.id)).filter(entry => entry.argv.includes('push'));
		expect(pushes).toHaveLength(1);
		expect(pushes[0]?.cwd).toBe(path.join(ws.paths.stageDir.active, 'lib'));
	});
});
