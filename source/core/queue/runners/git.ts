import {realpath} from 'node:fs/promises';
import {describeFailure, succeeded} from '../exec.js';
import type {CommandRecord, GitTarget, RunOutcome} from '../types.js';
import {followProject} from './follow.js';
import {conflict, dead, done, refuseOptionLike, retry, shellQuote, type RunContext, type Runner} from './types.js';

/**
 * Pushes a branch to a remote without ever forcing: the remote's branch is
 * looked up and fetched first, and a push happens only when it is a fast
 * forward. A diverged remote ends in `conflict` with the commands that
 * resolve it; nothing is reset, nothing is overwritten. A project moved to
 * another stage mid-run is pushed from its new place (see followProject).
 */
export const runGitPush: Runner<GitTarget> = followProject(async (target, context) => {
	const {project, projectDir} = context;
	const refused = refuseOptionLike({remote: target.remote, branch: target.branch}, project);
	if (refused) {
		return refused;
	}

	const git = async (...args: string[]) => context.run(['git', ...args], {cwd: projectDir});

	const top = await git('rev-parse', '--show-toplevel');
	if (!succeeded(top) || !(await sameDir(top.stdoutTail.trim(), projectDir))) {
		return dead('NOT_A_REPO', `Project ${project} is not a git repository of its own (${projectDir}).`,
			'Run `git init` in the project, or remove the git target from .cws/config.json.');
	}

	const {remote} = target;
	const url = await git('remote', 'get-url', '--', remote);
	if (!succeeded(url)) {
		return dead('NO_REMOTE', `Project ${project} has no git remote named ${remote}.`,
			`Add it with \`git -C ${shellQuote(projectDir)} remote add ${shellQuote(remote)} <url>\`, then retry the job.`);
	}

	const branch = target.branch ?? (await currentBranch(context));
	if (branch === undefined) {
		return dead('DETACHED_HEAD', `Project ${project} has no branch checked out (detached HEAD).`,
			'Check out a branch, or set "branch" on the git target in .cws/config.json.');
	}

	if (target.autoCommit) {
		const committed = await autoCommit(context);
		if (committed) {
			return committed;
		}
	}

	const local = await git('rev-parse', '--verify', '--quiet', `refs/heads/${branch}^{commit}`);
	if (!succeeded(local)) {
		return dead('NO_COMMITS', `Branch ${branch} of project ${project} has no commits to push.`,
			'Commit something first (or turn on autoCommit for this target).');
	}

	const localHead = local.stdoutTail.trim();
	const listed = await git('ls-remote', '--heads', '--', remote, `refs/heads/${branch}`);
	if (!succeeded(listed)) {
		return unreachable(listed, project, remote);
	}

	const remoteHead = listed.stdoutTail.split('\t')[0]?.trim() || undefined;
	if (remoteHead === localHead) {
		return done(`${remote}/${branch} is already at ${localHead.slice(0, 12)}.`, localHead);
	}

	if (remoteHead !== undefined) {
		const fetched = await git('fetch', '--no-tags', '--', remote, `refs/heads/${branch}`);
		if (!succeeded(fetched)) {
			return unreachable(fetched, project, remote);
		}

		if (await isAncestor(context, localHead, remoteHead)) {
			return done(`${remote}/${branch} already contains ${localHead.slice(0, 12)} (the remote is ahead; pull to update).`, localHead);
		}

		if (!(await isAncestor(context, remoteHead, localHead))) {
			return diverged(context, remote, branch);
		}
	}

	const pushed = await git('push', '--porcelain', '--', remote, `refs/heads/${branch}:refs/heads/${branch}`);
	if (!succeeded(pushed)) {
		const output = `${pushed.stdoutTail}\n${pushed.stderrTail}`;
		// The remote moved between our check and the push: same as diverged.
		if (!pushed.timedOut && /\[rejected\]|non-fast-forward|fetch first/.test(output)) {
			return diverged(context, remote, branch);
		}

		return unreachable(pushed, project, remote);
	}

	return done(`Pushed ${localHead.slice(0, 12)} to ${remote}/${branch}.`, localHead);
});

async function currentBranch(context: RunContext): Promise<string | undefined> {
	const head = await context.run(['git', 'symbolic-ref', '--quiet', '--short', 'HEAD'], {cwd: context.projectDir});
	return succeeded(head) ? head.stdoutTail.trim() || undefined : undefined;
}

async function autoCommit(context: RunContext): Promise<RunOutcome | undefined> {
	const git = async (...args: string[]) => context.run(['git', ...args], {cwd: context.projectDir});
	const status = await git('status', '--porcelain', '-z');
	if (!succeeded(status)) {
		return retry('GIT_FAILED', describeFailure(status));
	}

	if (status.stdoutTail === '') {
		return undefined;
	}

	const added = await git('add', '--all', '--', '.');
	const committed = succeeded(added)
		? await git('commit', '--quiet', '-m', `Save work in progress before sync (${new Date().toISOString()})`)
		: added;
	if (!succeeded(committed)) {
		return dead('AUTO_COMMIT_FAILED', `Could not commit the pending changes of ${context.project}: ${describeFailure(committed)}`,
			'Commit by hand (check git user.name/user.email and hooks), then retry the job.');
	}

	await context.note('Committed pending changes before pushing.');
	return undefined;
}

async function isAncestor(context: RunContext, ancestor: string, of: string): Promise<boolean> {
	const result = await context.run(['git', 'merge-base', '--is-ancestor', ancestor, of], {cwd: context.projectDir});
	return result.exitCode === 0;
}

function diverged(context: RunContext, remote: string, branch: string): RunOutcome {
	const dir = shellQuote(context.projectDir);
	const tracking = shellQuote(`${remote}/${branch}`);
	return conflict('DIVERGED', `${remote}/${branch} and the local ${branch} of ${context.project} have diverged; nothing was pushed.`, [
		`cd ${dir}`,
		`git fetch ${shellQuote(remote)}`,
		`git merge ${tracking}    # or: git rebase ${tracking}`,
		`cws sync ${shellQuote(context.project)} --target ${shellQuote(context.job.target.name)}`,
	], 'Merge or rebase onto the remote branch, then sync again. cws never force-pushes.');
}

function unreachable(record: CommandRecord, project: string, remote: string): RunOutcome {
	return retry(record.timedOut ? 'TIMEOUT' : 'REMOTE_FAILED', `Could not reach remote ${remote} of ${project}: ${describeFailure(record)}`,
		'Check the network and the remote URL (`git remote -v`); the job retries with backoff.');
}

async function sameDir(a: string, b: string): Promise<boolean> {
	try {
		return (await realpath(a)) === (await realpath(b));
	} catch {
		return false;
	}
}
