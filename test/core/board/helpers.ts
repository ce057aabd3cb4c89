import {execFile} from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import {promisify} from 'node:util';
import type {BoardWorkspace} from '../../../source/core/board/context.js';
import {workspacePaths, type Stage} from '../../../source/core/paths.js';
import {Store} from '../../../source/core/store.js';
import {initWorkspace} from '../../../source/core/workspace.js';

const run = promisify(execFile);

/**
 * Git needs an identity to commit and CI machines have none configured:
 * give every git process of the test (and its children) one, and keep the
 * user's own git configuration out.
 */
export const GIT_IDENTITY = {
	GIT_AUTHOR_NAME: 'Board Test',
	GIT_AUTHOR_EMAIL: 'board@test.invalid',
	GIT_COMMITTER_NAME: 'Board Test',
	GIT_COMMITTER_EMAIL: 'board@test.invalid',
	GIT_CONFIG_NOSYSTEM: '1',
	GIT_CONFIG_GLOBAL: '/dev/null',
	GIT_TERMINAL_PROMPT: '0',
};
Object.assign(process.env, GIT_IDENTITY);

/** A fresh workspace at `root` with its store (short lock staleness so a killed holder is taken over quickly). */
export async function makeWorkspace(root: string): Promise<BoardWorkspace> {
	await initWorkspace(root);
	const paths = workspacePaths(root);
	return {paths, store: new Store(paths.meta, {lock: {stale: 2000}})};
}

export async function git(cwd: string, ...args: string[]): Promise<string> {
	const {stdout} = await run('git', args, {cwd, env: {...process.env, ...GIT_IDENTITY}});
	return stdout;
}

/** Writes files (path → content) under `dir`, creating folders. */
export async function writeFiles(dir: string, files: Record<string, string>): Promise<void> {
	for (const [file, content] of Object.entries(files)) {
		await fs.mkdir(path.dirname(path.join(dir, file)), {recursive: true});
		await fs.writeFile(path.join(dir, file), content);
	}
}

/** A project folder in `stage` holding `files`, committed to a new repository unless `git` is false. */
export async function makeProject(ws: BoardWorkspace, stage: Stage, name: string, files: Record<string, string> = {}, options: {git?: boolean} = {}): Promise<string> {
	const dir = path.join(ws.paths.stageDir[stage], name);
	await fs.mkdir(dir, {recursive: true});
	await writeFiles(dir, files);
	if (options.git !== false) {
		await git(dir, 'init', '-q', '-b', 'main');
		await git(dir, 'add', '-A');
		await git(dir, 'commit', '-q', '--allow-empty', '-m', 'first');
	}

	return dir;
}

/** Files of a project whose tests pass without npm (fast): `.cws.json` runs node directly. */
export const PASSING: Record<string, string> = {
	'.cws.json': JSON.stringify({test: [process.execPath, '-e', 'process.exit(0)']}),
	'README.md': '# demo\n',
	LICENSE: 'MIT\n',
};

export const FAILING: Record<string, string> = {
	'.cws.json': JSON.stringify({test: [process.execPath, '-e', 'console.log("1 failing"); process.exit(1)']}),
};

/** Which stage folders hold `name`. */
export async function whereIs(ws: BoardWorkspace, name: string): Promise<string[]> {
	const found: string[] = [];
	for (const [stage, dir] of Object.entries(ws.paths.stageDir)) {
		if (await fs.lstat(path.join(dir, name)).then(() => true, () => false)) {
			found.push(stage);
		}
	}

	if (await fs.lstat(path.join(ws.paths.archive, name)).then(() => true, () => false)) {
		found.push('archive');
	}

	return found;
}

/** Names that must never become a folder: traversal, options, control bytes, length, look-alikes. */
export const HOSTILE_NAMES: string[] = [
	'', '.', '..', '...', 'a/../../b', '../escape', 'a/b', '/abs', '/etc/passwd', '-rf', '--upload-pack=x', '-', '--',
	'a\0b', '\0', 'x'.repeat(65), 'y'.repeat(300), 'UPPER', 'Caps', 'with space', 'tab\tname', 'new\nline',
	'.hidden', '_under', 'ends/', 'a\\b', '~', '~root', '$(id)', '`id`', 'a;b', 'a|b', '*',
	'p\u0430yp\u0430l', // Cyrillic а
	'\u0440roject', // Cyrillic р
	'ｆｕｌｌｗｉｄｔｈ', 'caf\u00e9', 'e\u0301', 'zero\u200bwidth', 'rtl\u202eevil', 'ﬁle', 'ǀpipe', '١٢٣',
];
