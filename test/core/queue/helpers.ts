import {mkdir, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {execa} from 'execa';
import {workspacePaths, type Stage} from '../../../source/core/paths.js';
import {Store} from '../../../source/core/store.js';
import type {QueueWorkspace} from '../../../source/core/queue/jobs.js';

/** A git identity for commits in tests (CI machines have none configured). */
export const GIT_ENV: Record<string, string> = {
	GIT_AUTHOR_NAME: 'cws test',
	GIT_AUTHOR_EMAIL: 'test@example.invalid',
	GIT_COMMITTER_NAME: 'cws test',
	GIT_COMMITTER_EMAIL: 'test@example.invalid',
	GIT_CONFIG_NOSYSTEM: '1',
	GIT_CONFIG_GLOBAL: '/dev/null',
};

/** The environment commands run with in tests: ours plus the git identity. */
export function testEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
	return {...process.env, ...GIT_ENV, ...extra};
}

/** A workspace layout at `root` with a store whose stale-lock time is short. */
export async function makeWorkspace(root: string): Promise<QueueWorkspace> {
	const paths = workspacePaths(root);
	for (const dir of [...Object.values(paths.stageDir), paths.meta, paths.queue, paths.locks, paths.backups, paths.quarantine]) {
		await mkdir(dir, {recursive: true, mode: 0o700});
	}

	return {paths, store: new Store(paths.meta, {lock: {stale: 2000, wait: 20_000}})};
}

/** Runs git in `cwd` with the test identity; throws on failure. */
export async function git(cwd: string, ...args: string[]): Promise<string> {
	const result = await execa('git', args, {cwd, env: testEnv(), timeout: 20_000});
	return result.stdout.trim();
}

/** A project folder with a git repository and one commit. */
export async function makeGitProject(ws: QueueWorkspace, name: string, stage: Stage = 'stable', files: Record<string, string> = {'README.md': '# hi\n'}): Promise<string> {
	const dir = path.join(ws.paths.stageDir[stage], name);
	await mkdir(dir, {recursive: true});
	await git(dir, 'init', '-q', '-b', 'main');
	for (const [file, content] of Object.entries(files)) {
		await mkdir(path.dirname(path.join(dir, file)), {recursive: true});
		await writeFile(path.join(dir, file), content);
	}

	await git(dir, 'add', '-A');
	await git(dir, 'commit', '-q', '-m', 'first');
	return dir;
}

/** A bare repository to push to. */
export async function makeBareRemote(dir: string): Promise<string> {
	await execa('git', ['init', '-q', '--bare', '-b', 'main', dir], {env: testEnv()});
	return dir;
}

/** The sha of a ref in a repository, or '' when it does not exist. */
export async function refOf(repo: string, ref: string): Promise<string> {
	const result = await execa('git', ['rev-parse', '--verify', '--quiet', ref], {cwd: repo, env: testEnv(), reject: false});
	return result.stdout.trim();
}

/** Every ref of a repository with its sha (to prove a remote was left untouched). */
export async function allRefs(repo: string): Promise<string> {
	const result = await execa('git', ['for-each-ref', '--format=%(refname) %(objectname)'], {cwd: repo, env: testEnv()});
	return result.stdout;
}

/** Short retry policy so that retries and dead letters happen within a test. */
export const FAST_RETRY = {attempts: 3, baseMs: 20, capMs: 100, jitter: 0.5};
