import {chmod, mkdir, readdir, readFile, stat, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {parseSyncConfig} from '../../../source/core/queue/config.js';
import {enqueueJob} from '../../../source/core/queue/enqueue.js';
import {findProject} from '../../../source/core/queue/project.js';
import {createRunContext} from '../../../source/core/queue/run-context.js';
import {runExport, runGitPush, runRsync} from '../../../source/core/queue/runners/index.js';
import type {Job, Target} from '../../../source/core/queue/types.js';
import {parseTarget} from '../../../source/core/queue/validate.js';
import {tempDirs} from '../../helpers/tmp.js';
import {git, makeBareRemote, makeGitProject, makeWorkspace, testEnv} from './helpers.js';

const dirs = tempDirs('queue-inject');
afterEach(async () => dirs.cleanupAll());

/** Files an injected `touch <root>/pwned` or `touch pwned` (in any working folder) would have made. */
async function markers(dir: string): Promise<string[]> {
	const entries = await readdir(dir, {recursive: true, withFileTypes: true}).catch(() => []);
	return entries.filter(entry => entry.name === 'pwned' && entry.isFile()).map(entry => path.join(entry.parentPath, entry.name));
}

function jobFor(target: Target, project = 'app'): Job {
	return {id: '0000000aa-00000000', project, stage: 'stable', target, reason: 'manual', state: 'running', attempt: 1, maxAttempts: 1, claim: 1, createdAt: 0, updatedAt: 0, dueAt: 0};
}

describe('argument injection', () => {
	it('refuses option-like projects, remotes, branches, hosts and repositories before anything runs', async () => {
		const root = await dirs.create();
		const ws = await makeWorkspace(root);
		const upload = `--upload-pack=touch ${root}/pwned`;
		const proxy = `-oProxyCommand=touch ${root}/pwned`;
		const bad = [
			{name: 'x', kind: 'git', remote: upload},
			{name: 'x', kind: 'git', remote: 'origin', branch: proxy},
			{name: 'x', kind: 'git', remote: 'origin', branch: upload},
			{name: 'x', kind: 'rsync', dest: proxy},
			{name: 'x', kind: 'rsync', dest: `${proxy}:backups`},
			{name: 'x', kind: 'rsync', dest: `-x@host:${root}/pwned`},
			{name: 'x', kind: 'export', repo: upload},
			{name: 'x', kind: 'export', repo: `ssh://${proxy}/repo.git`},
			{name: 'x', kind: 'export', repo: `${proxy}:repo.git`},
			{name: 'x', kind: 'export', repo: `ext::sh -c touch% ${root}/pwned`},
			{name: upload, kind: 'git', remote: 'origin'},
		];
		for (const target of bad) {
			expect(() => parseTarget(target, 'target'), JSON.stringify(target)).toThrow(/must not|starting with|invalid|not a valid|must match/);
			expect(() => parseSyncConfig({stages: {stable: [target]}}), JSON.stringify(target)).toThrow(/sync\.stages\.stable\.targets\[0\]/);
		}

		for (const project of [upload, proxy]) {
			await expect(enqueueJob(ws, {project, target: {name: 'origin', kind: 'git', remote: 'origin', autoCommit: false}})).rejects.toMatchObject({code: 'BAD_NAME'});
			await expect(findProject(ws.paths, project)).rejects.toMatchObject({code: 'BAD_NAME'});
		}

		expect(await markers(root)).toEqual([]);
	});

	it('passes what it does not refuse as literal arguments after `--`, and runners refuse option-like values on their own', async () => {
		const root = await dirs.create();
		const ws = await makeWorkspace(root);
		const project = await makeGitProject(ws, 'app');
		const upload = `--upload-pack=touch ${root}/pwned`;
		const proxy = `-oProxyCommand=touch ${root}/pwned`;
		// Fake git and rsync that log their argv and fail (ls-files lists nothing).
		const bin = path.join(root, 'bin');
		await mkdir(bin);
		const argvLog = path.join(root, 'argv.log');
		for (const tool of ['git', 'rsync', 'ssh']) {
			await writeFile(path.join(bin, tool), `#!/usr/bin/env node\nrequire('fs').appendFileSync(${JSON.stringify(argvLog)}, JSON.stringify(process.argv.slice(2)) + '\\n'); process.exit(process.argv[2] === 'ls-files' ? 0 : 1);\n`);
			await chmod(path.join(bin, tool), 0o755);
		}

		const run = async (target: Target, env: NodeJS.ProcessEnv) => {
			const context = createRunContext({
				job: jobFor(target), projectDir: project, exportsDir: path.join(root, '.cws', 'exports'),
				signal: new AbortController().signal, timeoutMs: 10_000, env, log: async () => undefined,
			});
			switch (target.kind) {
				case 'git': return runGitPush(target, context);
				case 'rsync': return runRsync(target, context);
				case 'export': return runExport(target, context);
				default: throw new Error('unexpected');
			}
		};

		// Values a hand-edited job could carry past the config: the runners refuse them themselves.
		const refused: Target[] = [
			{name: 'x', kind: 'git', remote: upload, autoCommit: false},
			{name: 'x', kind: 'git', remote: 'origin', branch: proxy, autoCommit: false},
			{name: 'x', kind: 'rsync', dest: `${proxy}:backups`, excludes: []},
			{name: 'x', kind: 'rsync', dest: proxy, excludes: []},
			{name: 'x', kind: 'export', repo: upload, privatePaths: []},
			{name: 'x', kind: 'export', repo: `ext::sh -c touch% ${root}/pwned`, privatePaths: []},
		];
		const fakeEnv = testEnv({PATH: `${bin}:${process.env['PATH'] ?? ''}`});
		for (const target of refused) {
			expect(await run(target, fakeEnv), JSON.stringify(target)).toMatchObject({status: 'dead', error: {code: 'BAD_TARGET'}});
		}

		expect(await readFile(argvLog, 'utf8').catch(() => '')).toBe('');

		// Values that are allowed reach the tools verbatim, as one argument each, after `--`.
		const literal = `${root}/backups/--upload-pack=touch pwned`;
		const passed: Target[] = [
			{name: 'x', kind: 'rsync', dest: literal, excludes: [upload, proxy]},
			{name: 'x', kind: 'export', repo: `./${upload}`, privatePaths: [proxy]},
		];
		for (const target of passed) {
			await run(target, fakeEnv);
		}

		const calls = (await readFile(argvLog, 'utf8')).split('\n').filter(Boolean).map(line => JSON.parse(line) as string[]);
		const rsync = calls.find(argv => argv.includes(literal))!;
		expect(rsync).toBeDefined();
		expect(rsync.indexOf(literal)).toBeGreaterThan(rsync.indexOf('--'));
		expect(rsync).toContain(`--exclude=${upload}`);
		expect(rsync).toContain(`--exclude=${proxy}`);
		const clone = calls.find(argv => argv.includes(`./${upload}`))!;
		expect(clone.slice(0, 4)).toEqual(['clone', '--bare', '--no-tags', '--quiet']);
		expect(clone.indexOf(`./${upload}`)).toBe(clone.indexOf('--') + 1);
		// No call anywhere has an injected value standing alone as an option.
		for (const argv of calls) {
			expect(argv.filter(arg => arg === upload || arg === proxy)).toEqual([]);
		}

		// With the real tools: a remote URL and the allowed values run, and nothing is executed.
		await git(project, 'remote', 'add', 'origin', '--', upload);
		await git(project, 'remote', 'add', 'evil', '--', `ssh://${proxy}/x`);
		const realEnv = testEnv();
		await run({name: 'x', kind: 'git', remote: 'origin', autoCommit: false}, realEnv);
		await run({name: 'x', kind: 'git', remote: 'evil', autoCommit: false}, realEnv);
		await run({name: 'x', kind: 'export', repo: `./${upload}`, privatePaths: []}, realEnv);
		await run({name: 'x', kind: 'rsync', dest: literal, excludes: [upload]}, realEnv);
		const publicRepo = await makeBareRemote(path.join(root, 'pub.git'));
		expect(await run({name: 'x', kind: 'export', repo: publicRepo, privatePaths: [proxy]}, realEnv)).toMatchObject({status: 'done'});
		for (const target of refused) {
			await run(target, realEnv);
		}

		expect(await markers(root)).toEqual([]);
		await expect(stat(path.join(process.cwd(), 'pwned'))).rejects.toThrow(/ENOENT/);
	});
});
