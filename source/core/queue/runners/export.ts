import {randomBytes} from 'node:crypto';
import {chmod, lstat, mkdir, rename, rm, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {describeFailure, succeeded} from '../exec.js';
import type {ExportTarget} from '../types.js';
import {followProject} from './follow.js';
import {dead, done, refuseOptionLike, retry, type RunContext, type Runner} from './types.js';

/** Git file mode of a submodule entry: not a file we could export. */
const GITLINK_MODE = '160000';

/**
 * Publishes the project's tracked files (minus private paths) to its public
 * repository. The clone under .cws/exports/<project> is bare: the export is
 * built in a throw-away index straight from the project folder and committed
 * on top of the public branch as fetched, so there is no working copy to get
 * out of step, nothing to reset, and an interrupted export leaves only
 * unreferenced objects behind. A project moved mid-run is exported again
 * from its new place, never published from a half-read folder.
 */
export const runExport: Runner<ExportTarget> = followProject(async (target, context) => {
	const {project, projectDir} = context;
	const refused = refuseOptionLike({repository: target.repo, branch: target.branch}, project);
	if (refused) {
		return refused;
	}

	if (/^(ext|fd)::/i.test(target.repo)) {
		return dead('BAD_TARGET', `Refused to export ${project}: the repository ${JSON.stringify(target.repo)} uses a command-running transport.`,
			'Use an https://, ssh:// or host:path repository in .cws/config.json.');
	}

	const listed = await context.run(['git', 'ls-files', '-z', '--stage'], {cwd: projectDir, captureStdout: true});
	if (!succeeded(listed)) {
		return dead('NOT_A_REPO', `Project ${project} is not a git repository; only tracked files can be exported.`,
			'Run `git init` and commit the files to publish, then retry the job.');
	}

	const files = await exportableFiles(listed.stdout ?? '', target.privatePaths, projectDir);
	const clone = path.join(context.exportsDir, project);
	const ready = await ensureClone(target, context, clone);
	if (ready) {
		return ready;
	}

	const gitDir = `--git-dir=${clone}`;
	const git = async (args: string[], env?: Record<string, string>) => context.run(['git', gitDir, ...args], {cwd: projectDir, ...(env ? {env} : {})});
	const branch = target.branch ?? (await defaultBranch(context, gitDir));
	const remoteRef = `refs/heads/${branch}`;
	const tracking = `refs/remotes/origin/${branch}`;
	const remote = await git(['ls-remote', '--heads', '--', 'origin', remoteRef]);
	if (!succeeded(remote)) {
		return retry('REMOTE_FAILED', `Could not reach the public repository of ${project}: ${describeFailure(remote)}`,
			'Check the network and the "repo" of the export target; the job retries with backoff.');
	}

	let parent: string | undefined;
	if (remote.stdoutTail.trim() !== '') {
		const fetched = await git(['fetch', '--no-tags', '--quiet', '--', 'origin', `+${remoteRef}:${tracking}`]);
		if (!succeeded(fetched)) {
			return retry('REMOTE_FAILED', `Could not fetch the public repository of ${project}: ${describeFailure(fetched)}`);
		}

		parent = (await git(['rev-parse', '--verify', '--quiet', `${tracking}^{commit}`])).stdoutTail.trim() || undefined;
	}

	const scratch = path.join(clone, `cws-export-${randomBytes(6).toString('hex')}`);
	try {
		const index = {GIT_INDEX_FILE: `${scratch}.index`};
		if (files.length > 0) {
			await writeFile(`${scratch}.paths`, files.map(file => `${file}\0`).join(''), {mode: 0o600});
			// --literal-pathspecs: a file named ':(exclude)x' or '*' is just a name.
			const added = await git([`--work-tree=${projectDir}`, '--literal-pathspecs', 'add', '--force',
				`--pathspec-from-file=${scratch}.paths`, '--pathspec-file-nul'], index);
			if (!succeeded(added)) {
				return retry('EXPORT_FAILED', `Could not stage the export of ${project}: ${describeFailure(added)}`);
			}
		}

		const tree = await git(['write-tree'], index);
		if (!succeeded(tree)) {
			return retry('EXPORT_FAILED', `Could not build the export of ${project}: ${describeFailure(tree)}`);
		}

		// Files that vanished with a moved folder would be published as deleted.
		if (await context.folderMoved?.()) {
			return retry('PROJECT_MOVED', `Project ${project} moved while its export was built; nothing was published.`);
		}

		const treeId = tree.stdoutTail.trim();
		if (parent !== undefined && (await git(['rev-parse', `${parent}^{tree}`])).stdoutTail.trim() === treeId) {
			return done(`The public repository already matches ${project}.`, parent);
		}

		const head = (await context.run(['git', 'rev-parse', '--short', 'HEAD'], {cwd: projectDir})).stdoutTail.trim();
		const message = `Export of ${project}${head ? ` at ${head}` : ''}`;
		const commit = await git(['commit-tree', treeId, ...(parent ? ['-p', parent] : []), '-m', message]);
		if (!succeeded(commit)) {
			return dead('EXPORT_COMMIT_FAILED', `Could not commit the export of ${project}: ${describeFailure(commit)}`,
				'Set git user.name and user.email (`git config --global user.name …`), then retry the job.');
		}

		const commitId = commit.stdoutTail.trim();
		const pushed = await git(['push', '--quiet', '--', 'origin', `${commitId}:${remoteRef}`]);
		if (!succeeded(pushed)) {
			return retry(pushed.timedOut ? 'TIMEOUT' : 'REMOTE_FAILED', `Could not push the export of ${project}: ${describeFailure(pushed)}`,
				'The job retries with backoff; each try builds on the public branch as it is then.');
		}

		await git(['update-ref', tracking, commitId]);
		return done(`Exported ${files.length} files of ${project} to ${target.repo} (${branch}).`, commitId);
	} finally {
		await rm(`${scratch}.paths`, {force: true});
		await rm(`${scratch}.index`, {force: true});
	}
});

/** Tracked regular files and symlinks that exist, minus private paths and submodules. */
async function exportableFiles(lsFiles: string, privatePaths: readonly string[], projectDir: string): Promise<string[]> {
	const files: string[] = [];
	for (const entry of lsFiles.split('\0')) {
		const tab = entry.indexOf('\t');
		if (tab === -1) {
			continue;
		}

		const mode = entry.slice(0, entry.indexOf(' '));
		const file = entry.slice(tab + 1);
		if (mode === GITLINK_MODE || isPrivate(file, privatePaths) || file.split('/').includes('..')) {
			continue;
		}

		// A tracked file deleted in the working tree is not part of the export.
		if (await lstat(path.join(projectDir, file)).then(() => true, () => false)) {
			files.push(file);
		}
	}

	return [...new Set(files)];
}

/** A private path hides itself and everything below it; `.git` is never exported. */
export function isPrivate(file: string, privatePaths: readonly string[]): boolean {
	return ['.git', ...privatePaths].some(raw => {
		const prefix = raw.replace(/^\.\/+/, '').replace(/\/+$/, '');
		return file === prefix || file.startsWith(`${prefix}/`) || file.split('/').includes('.git');
	});
}

async function ensureClone(target: ExportTarget, context: RunContext, clone: string) {
	await mkdir(context.exportsDir, {recursive: true, mode: 0o700});
	await chmod(context.exportsDir, 0o700);
	if (await lstat(clone).then(() => true, () => false)) {
		const url = await context.run(['git', `--git-dir=${clone}`, 'config', '--get', 'remote.origin.url'], {cwd: context.exportsDir});
		if (url.stdoutTail.trim() === target.repo) {
			return undefined;
		}

		// The public repository changed in the config: keep the old clone aside.
		const aside = path.join(context.exportsDir, `.${context.project}.replaced-${Date.now()}`);
		await rename(clone, aside);
		await context.note(`The export repository changed; the previous clone was kept at ${aside}.`);
	}

	const temporary = path.join(context.exportsDir, `.${context.project}.clone-${randomBytes(6).toString('hex')}`);
	const cloned = await context.run(['git', 'clone', '--bare', '--no-tags', '--quiet', '--', target.repo, temporary], {cwd: context.exportsDir});
	if (!succeeded(cloned)) {
		await rm(temporary, {recursive: true, force: true});
		return retry('CLONE_FAILED', `Could not clone the public repository ${target.repo} of ${context.project}: ${describeFailure(cloned)}`,
			'Check the "repo" of the export target and your access to it; the job retries with backoff.');
	}

	// Renamed into place only once complete: a crash mid-clone leaves no half clone.
	await chmod(temporary, 0o700);
	await rename(temporary, clone);
	return undefined;
}

async function defaultBranch(context: RunContext, gitDir: string): Promise<string> {
	const head = await context.run(['git', gitDir, 'symbolic-ref', '--quiet', '--short', 'HEAD'], {cwd: context.exportsDir});
	return (succeeded(head) && head.stdoutTail.trim()) || 'main';
}
