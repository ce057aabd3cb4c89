import fs from 'node:fs/promises';
import path from 'node:path';
import {errnoCode} from '../errors.js';
import type {Stage} from '../paths.js';
import {gitEnv, hasGitDir, readGitState} from './git.js';
import type {RunResult, Runner} from './runner.js';
import {findTestCommand} from './test-command.js';

export const GATE_IDS = ['git-repo', 'clean-tree', 'tests', 'readme', 'license', 'remote', 'no-secrets'] as const;
export type GateId = (typeof GATE_IDS)[number];

/** One check on the way to a stage, and how it went. */
export type GateResult = {
	id: GateId;
	title: string;
	ok: boolean;
	/** Why it passed or failed, in one line. */
	reason: string;
	/** The test command's output (its tail), kept for viewing. */
	output?: string;
	/** How long the check took, ms. */
	ms?: number;
};

/** What a promotion to `stage` checks, in the order they run. */
export function gatesFor(stage: Stage): GateId[] {
	switch (stage) {
		case 'sandbox':
		case 'active': {
			return [];
		}

		case 'stable': {
			return ['git-repo', 'clean-tree', 'tests'];
		}

		case 'public': {
			return ['git-repo', 'clean-tree', 'tests', 'readme', 'license', 'remote', 'no-secrets'];
		}
	}
}

export const GATE_TITLES: Record<GateId, string> = {
	'git-repo': 'Git repository',
	'clean-tree': 'Clean working tree',
	tests: 'Tests pass',
	readme: 'README',
	license: 'LICENSE',
	remote: 'Git remote',
	'no-secrets': 'No tracked secrets',
};

export type GateOptions = {
	runner: Runner;
	/** For the test command. */
	testTimeoutMs: number;
	/** For each git command; default 15 s. */
	gitTimeoutMs?: number;
	/** The stage folder holding the project: git never looks above it. */
	ceiling: string;
};

/** Tail of the test output kept in a result. */
export const OUTPUT_LIMIT = 64 * 1024;

/** Runs the gates of a promotion to `stage` on the project folder `dir`. */
export async function runGates(dir: string, stage: Stage, options: GateOptions): Promise<GateResult[]> {
	const ids = gatesFor(stage);
	const results: GateResult[] = [];
	const isRepo = ids.length > 0 && await hasGitDir(dir);
	for (const id of ids) {
		const started = Date.now();
		const result = await runGate(id, dir, isRepo, options);
		results.push({...result, id, title: GATE_TITLES[id], ms: Date.now() - started});
	}

	return results;
}

type Outcome = {ok: boolean; reason: string; output?: string};

async function runGate(id: GateId, dir: string, isRepo: boolean, options: GateOptions): Promise<Outcome> {
	const gitTimeoutMs = options.gitTimeoutMs ?? 15_000;
	const notRepo = {ok: false, reason: 'not a git repository (run `git init` in the project)'};
	switch (id) {
		case 'git-repo': {
			return isRepo ? {ok: true, reason: 'has a .git repository'} : notRepo;
		}

		case 'clean-tree': {
			if (!isRepo) {
				return notRepo;
			}

			const state = await readGitState(dir, {runner: options.runner, timeoutMs: gitTimeoutMs, ceiling: options.ceiling});
			if (state.kind !== 'repo') {
				return {ok: false, reason: state.kind === 'error' ? `git status failed: ${state.error}` : 'not a git repository'};
			}

			if (state.head === null) {
				return {ok: false, reason: 'no commit yet'};
			}

			return state.dirty
				? {ok: false, reason: `${state.changes} uncommitted change${state.changes === 1 ? '' : 's'} (commit or stash them)`}
				: {ok: true, reason: 'nothing to commit'};
		}

		case 'tests': {
			return runTests(dir, options);
		}

		case 'readme': {
			const found = await findTopLevel(dir, /^readme(\..+)?$/i);
			return found ? {ok: true, reason: found} : {ok: false, reason: 'no README file at the top of the project'};
		}

		case 'license': {
			const found = await findTopLevel(dir, /^(licen[sc]e|copying)(\..+)?$/i);
			return found ? {ok: true, reason: found} : {ok: false, reason: 'no LICENSE file at the top of the project'};
		}

		case 'remote': {
			if (!isRepo) {
				return notRepo;
			}

			const result = await git(dir, ['remote'], options, gitTimeoutMs);
			if (result.failed) {
				return {ok: false, reason: `git remote failed: ${firstLine(result)}`};
			}

			const remotes = result.stdout.split('\n').filter(Boolean);
			return remotes.length > 0
				? {ok: true, reason: remotes.join(', ')}
				: {ok: false, reason: 'no git remote (add one with `git remote add origin <url>`)'};
		}

		case 'no-secrets': {
			if (!isRepo) {
				return notRepo;
			}

			const result = await git(dir, ['ls-files', '-z'], options, gitTimeoutMs);
			if (result.failed) {
				return {ok: false, reason: `git ls-files failed: ${firstLine(result)}`};
			}

			const secrets = result.stdout.split('\0').filter(file => file !== '' && isSecretFile(file));
			return secrets.length === 0
				? {ok: true, reason: 'no .env, *.pem, *.key or id_* key files tracked'}
				: {ok: false, reason: `tracked secret file${secrets.length === 1 ? '' : 's'}: ${secrets.slice(0, 5).join(', ')}${secrets.length > 5 ? ` and ${secrets.length - 5} more` : ''} (git rm --cached them)`};
		}
	}
}

async function runTests(dir: string, options: GateOptions): Promise<Outcome> {
	const command = await findTestCommand(dir);
	if (command === null) {
		return {ok: false, reason: 'no test command (add scripts.test to package.json or "test" to .cws.json)'};
	}

	if (typeof command === 'string') {
		return {ok: false, reason: command};
	}

	const result = await options.runner(command.file, command.args, {
		cwd: dir,
		timeoutMs: options.testTimeoutMs,
		// npm must not phone home or nag while a gate runs.
		env: {CI: '1', NO_UPDATE_NOTIFIER: '1', npm_config_update_notifier: 'false', npm_config_fund: 'false'},
	});
	const output = tail(result.all || `${result.stdout}${result.stderr}`);
	if (result.timedOut) {
		return {ok: false, reason: `${command.display} timed out after ${Math.round(options.testTimeoutMs / 1000)} s`, output};
	}

	if (result.failed) {
		return {ok: false, reason: `${command.display} failed${result.exitCode === undefined ? `: ${result.error ?? ''}` : ` (exit ${result.exitCode})`}`, output};
	}

	return {ok: true, reason: `${command.display} passed`, output};
}

/** Whether a tracked path looks like a secret: .env files, private keys, key material. */
export function isSecretFile(file: string): boolean {
	const base = file.split('/').at(-1)!.toLowerCase();
	if (/^\.env(\..+)?$/.test(base)) {
		// Templates that document the variables are meant to be shared.
		return !/^\.env\.(example|sample|template|dist)$/.test(base);
	}

	return base.endsWith('.pem') || base.endsWith('.key') || /^id_(rsa|dsa|ecdsa|ed25519)/.test(base);
}

async function findTopLevel(dir: string, pattern: RegExp): Promise<string | undefined> {
	try {
		const entries = await fs.readdir(dir, {withFileTypes: true});
		return entries.find(entry => entry.isFile() && pattern.test(entry.name))?.name;
	} catch (error) {
		if (errnoCode(error) === 'ENOENT') {
			return undefined;
		}

		throw error;
	}
}

async function git(dir: string, args: string[], options: GateOptions, timeoutMs: number): Promise<RunResult> {
	return options.runner('git', args, {cwd: dir, timeoutMs, env: gitEnv(options.ceiling)});
}

function firstLine(result: RunResult): string {
	return result.stderr.trim().split('\n')[0] || result.error || 'unknown error';
}

function tail(text: string): string {
	return text.length > OUTPUT_LIMIT ? `…${text.slice(-OUTPUT_LIMIT)}` : text;
}

/** Where a project's last test output is kept for viewing. */
export function testLogPath(meta: string, name: string): string {
	return path.join(meta, 'gates', `${name}.test.log`);
}
