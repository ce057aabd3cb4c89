import fsSync from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import {errnoCode} from '../errors.js';
import type {Runner} from './runner.js';

/** A project's git state as the board shows it. */
export type GitState =
	| {kind: 'none'}
	| {kind: 'error'; error: string}
	| {
		kind: 'repo';
		/** null when HEAD is detached. */
		branch: string | null;
		/** Short commit id of HEAD, null before the first commit. */
		head: string | null;
		/** Tracked changes or untracked files. */
		dirty: boolean;
		changes: number;
		upstream: string | null;
		/** Present only when an upstream exists. */
		ahead?: number;
		behind?: number;
	};

export type GitOptions = {
	runner: Runner;
	timeoutMs: number;
	/** Git must not look above this folder for a repository (the stage folder). */
	ceiling: string;
};

/**
 * Environment for every git command: no prompts, no optional locks (a status
 * in the background must never take index.lock from the user's own git), no
 * discovery above the stage folder (a workspace inside a repository would
 * otherwise report the outer repository for a project that has none), a
 * fixed language for parseable messages.
 */
export function gitEnv(ceiling: string): Record<string, string> {
	return {
		GIT_TERMINAL_PROMPT: '0',
		GIT_OPTIONAL_LOCKS: '0',
		GIT_CEILING_DIRECTORIES: ceiling,
		GIT_SSH_COMMAND: 'ssh -o BatchMode=yes',
		LC_ALL: 'C',
	};
}

/** Whether the project folder itself holds a repository (a .git folder or file). */
export async function hasGitDir(dir: string): Promise<boolean> {
	try {
		await fs.lstat(path.join(dir, '.git'));
		return true;
	} catch (error) {
		if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') {
			return false;
		}

		throw error;
	}
}

/** Branch, dirty, ahead/behind of the repository in `dir` with one `git status`. */
export async function readGitState(dir: string, options: GitOptions): Promise<GitState> {
	if (!await hasGitDir(dir)) {
		return {kind: 'none'};
	}

	const result = await options.runner(
		'git',
		['status', '--porcelain=v2', '--branch', '-z', '--untracked-files=normal'],
		{cwd: dir, timeoutMs: options.timeoutMs, env: gitEnv(options.ceiling)},
	);
	if (result.failed) {
		const detail = result.stderr.trim().split('\n')[0] ?? '';
		return {kind: 'error', error: [result.error, detail].filter(Boolean).join(': ')};
	}

	return parsePorcelainV2(result.stdout);
}

/** Parses `git status --porcelain=v2 --branch -z`. */
export function parsePorcelainV2(output: string): GitState {
	let branch: string | null = null;
	let head: string | null = null;
	let upstream: string | null = null;
	let ahead: number | undefined;
	let behind: number | undefined;
	let changes = 0;
	const records = output.split('\0');
	for (let index = 0; index < records.length; index++) {
		const record = records[index]!;
		if (record.startsWith('# branch.oid ')) {
			const oid = record.slice('# branch.oid '.length);
			head = oid === '(initial)' ? null : oid.slice(0, 7);
		} else if (record.startsWith('# branch.head ')) {
			const name = record.slice('# branch.head '.length);
			branch = name === '(detached)' ? null : name;
		} else if (record.startsWith('# branch.upstream ')) {
			upstream = record.slice('# branch.upstream '.length);
		} else if (record.startsWith('# branch.ab ')) {
			const match = /^# branch\.ab \+(\d+) -(\d+)$/.exec(record);
			if (match) {
				ahead = Number(match[1]);
				behind = Number(match[2]);
			}
		} else if (record.startsWith('1 ') || record.startsWith('u ') || record.startsWith('? ')) {
			changes++;
		} else if (record.startsWith('2 ')) {
			// A rename or copy carries its original path as the next record.
			changes++;
			index++;
		}
	}

	const state: GitState = {kind: 'repo', branch, head, dirty: changes > 0, changes, upstream};
	if (upstream !== null && ahead !== undefined && behind !== undefined) {
		state.ahead = ahead;
		state.behind = behind;
	}

	return state;
}

/**
 * Modification times of the git files that change whenever the answer of
 * `git status` can change for reasons other than edits in the working tree:
 * HEAD moves (logs/HEAD, HEAD), staging (index), fetch and push
 * (FETCH_HEAD, packed-refs, the upstream's ref), branch updates (the
 * branch's ref; pass the last known state to include those two).
 * Working-tree edits are covered by the activity signature.
 */
export function gitSignature(dir: string, state?: GitState): string {
	const parts = ['HEAD', 'index', 'logs/HEAD', 'FETCH_HEAD', 'packed-refs'];
	// A push rewrites only the upstream's ref file; a commit the branch's.
	if (state?.kind === 'repo') {
		if (state.branch !== null) {
			parts.push(`refs/heads/${state.branch}`);
		}

		if (state.upstream !== null) {
			parts.push(`refs/remotes/${state.upstream}`);
		}
	}

	// Synchronous: see probeStillValid. Absent pieces count too (no FETCH_HEAD yet).
	return parts.map(part => {
		const stat = fsSync.statSync(path.join(dir, '.git', part), {throwIfNoEntry: false});
		return stat ? `${stat.mtimeMs}:${stat.size}` : '-';
	}).join('|');
}
