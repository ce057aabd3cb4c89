import {appendFile, chmod, mkdir, readFile, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {FINAL_SYNC_QUESTION, queueShutdownParticipant} from '../../../source/core/queue/shutdown.js';
import {configHasRemote, gitHasRemote, remoteInConfig} from '../../../source/core/queue/targets.js';
import {findTargetedProjects, findUnsyncedProjects} from '../../../source/core/queue/unsynced.js';
import {DEFAULT_SYNC_CONFIG} from '../../../source/core/queue/config.js';
import {tempDirs} from '../../helpers/tmp.js';
import {git, makeBareRemote, makeGitProject, makeWorkspace} from './helpers.js';

const dirs = tempDirs('queue-no-targets');
afterEach(async () => dirs.cleanupAll());

const listed = async (ws: Awaited<ReturnType<typeof makeWorkspace>>) =>
	(await findUnsyncedProjects(ws)).map(item => [item.project, item.targets.map(target => `${target.target.name}: ${target.reason}`)]);

describe('projects without a sync target', () => {
	it('are never unsynced, and cexit does not ask when no project has a target', async () => {
		const ws = await makeWorkspace(await dirs.create());
		// Default policy, no backup root, no origin anywhere: nothing syncs.
		await makeGitProject(ws, 'toy', 'sandbox');
		await makeGitProject(ws, 'app', 'active');
		const lib = await makeGitProject(ws, 'lib', 'stable');
		await git(lib, 'remote', 'add', 'upstream', path.join(ws.paths.root, 'elsewhere.git'));
		await mkdir(path.join(ws.paths.stageDir.public, 'site'));
		expect(await findTargetedProjects(ws, DEFAULT_SYNC_CONFIG)).toEqual([]);
		expect(await listed(ws)).toEqual([]);
		const steps = await queueShutdownParticipant(ws).plan({mode: 'interactive', force: false});
		expect(steps.map(step => [step.title, step.question?.id])).toEqual([['No project has a sync target: nothing to sync', undefined]]);
	});

	it('lists only the projects that have a target, and cexit asks about those', async () => {
		const ws = await makeWorkspace(await dirs.create());
		await makeGitProject(ws, 'toy', 'sandbox');
		await makeGitProject(ws, 'app', 'active');
		const web = await makeGitProject(ws, 'web', 'stable');
		await git(web, 'remote', 'add', 'origin', await makeBareRemote(path.join(ws.paths.root, 'web.git')));
		await makeGitProject(ws, 'lib', 'stable');
		expect(await listed(ws)).toEqual([['web', ['origin: never synced']]]);
		const steps = await queueShutdownParticipant(ws).plan({mode: 'interactive', force: false});
		expect(steps[0]?.question?.id).toBe(FINAL_SYNC_QUESTION);

		// A backup root gives Active and up a target; Sandbox still has none.
		await writeFile(ws.paths.config, JSON.stringify({sync: {backupRoot: path.join(ws.paths.root, 'backups')}}));
		expect((await listed(ws)).map(([project]) => project)).toEqual(['app', 'lib', 'web']);
	});

	it('reads remotes from .git/config as git does', async () => {
		const root = await dirs.create();
		const ws = await makeWorkspace(root);
		const cases: Array<[string, (dir: string) => Promise<unknown>]> = [
			['plain', async () => undefined],
			['origin', async dir => git(dir, 'remote', 'add', 'origin', '/nowhere.git')],
			['other', async dir => git(dir, 'remote', 'add', 'Origin', '/nowhere.git')],
			['pushurl-only', async dir => git(dir, 'config', 'remote.origin.pushurl', '/nowhere.git')],
			['empty-section', async dir => appendFile(path.join(dir, '.git', 'config'), '[remote "origin"]\n')],
			['old-syntax', async dir => appendFile(path.join(dir, '.git', 'config'), '[remote.origin]\n\turl = /nowhere.git\n')],
			['commented', async dir => appendFile(path.join(dir, '.git', 'config'), '[remote "origin"]\n# url = /nowhere.git\n')],
		];
		for (const [name, change] of cases) {
			const dir = await makeGitProject(ws, name, 'stable');
			await change(dir);
			expect([name, await configHasRemote(dir, 'origin')]).toEqual([name, await gitHasRemote(dir, 'origin')]);
		}

		expect(await configHasRemote(path.join(ws.paths.stageDir.stable, 'no-such'), 'origin')).toBe(false);
		expect(remoteInConfig('[remote "origin"] url = x\n', 'origin')).toBe(true);
		// An include is left to git.
		const included = await makeGitProject(ws, 'included', 'stable');
		await writeFile(path.join(root, 'extra.config'), '[remote "origin"]\n\turl = /nowhere.git\n');
		await appendFile(path.join(included, '.git', 'config'), `[include]\n\tpath = ${path.join(root, 'extra.config')}\n`);
		expect(await configHasRemote(included, 'origin')).toBe(true);
	});

	it('10,000 projects without a target: nothing listed, no git started, in seconds', async () => {
		const root = await dirs.create();
		const ws = await makeWorkspace(root);
		// Any git started during the scan leaves a line here.
		const bin = path.join(root, 'bin');
		const log = path.join(root, 'git-calls.log');
		await mkdir(bin);
		await writeFile(path.join(bin, 'git'), `#!/bin/sh\necho "$@" >> ${log}\nexit 1\n`);
		await chmod(path.join(bin, 'git'), 0o755);
		await writeFile(log, '');
		const stages = ['sandbox', 'active', 'stable', 'public'] as const;
		for (let index = 0; index < 10_000; index++) {
			const dir = path.join(ws.paths.stageDir[stages[index % 4]!], `p${index}`);
			await mkdir(path.join(dir, '.git'), {recursive: true});
			await writeFile(path.join(dir, '.git', 'config'), '[core]\n\tbare = false\n[remote "upstream"]\n\turl = /x.git\n');
		}

		const savedPath = process.env['PATH'];
		process.env['PATH'] = `${bin}:${savedPath ?? ''}`;
		try {
			const started = Date.now();
			expect(await findUnsyncedProjects(ws)).toEqual([]);
			const steps = await queueShutdownParticipant(ws).plan({mode: 'interactive', force: false});
			expect(steps[0]?.question).toBeUndefined();
			expect(Date.now() - started).toBeLessThan(20_000);
		} finally {
			process.env['PATH'] = savedPath;
		}

		expect(await readFile(log, 'utf8')).toBe('');
	}, 60_000);
});
