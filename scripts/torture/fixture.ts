/**
 * The playground of a torture run: a workspace with projects in every stage
 * (some whose gates pass, some whose gates refuse promotion, one without
 * git), a bare git remote per git project, an rsync backup folder, and a
 * sync policy that pushes and backs up Active, Stable and Public projects.
 */
import {mkdir, mkdtemp, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type {Stage} from '../../source/core/paths.js';
import {mustRun, runCli} from './procs.js';

/** ready: every gate passes; untested: no test command (Stable and Public refuse); plain: no git at all. */
export type ProjectKind = 'ready' | 'untested' | 'plain';
export type ProjectSpec = {name: string; kind: ProjectKind; initial: Stage};

/** Files every git project gets in its second commit (the backup must hold them). */
export const PROJECT_FILES: Record<Exclude<ProjectKind, 'plain'>, string[]> = {
	ready: ['README.md', 'LICENSE', '.cws.json'],
	untested: ['README.md'],
};

export const PROJECTS: ProjectSpec[] = [
	{name: 'p01', kind: 'ready', initial: 'sandbox'},
	{name: 'p02', kind: 'ready', initial: 'active'},
	{name: 'p03', kind: 'ready', initial: 'stable'},
	{name: 'p04', kind: 'ready', initial: 'public'},
	{name: 'p05', kind: 'ready', initial: 'active'},
	{name: 'p06', kind: 'ready', initial: 'sandbox'},
	{name: 'p07', kind: 'untested', initial: 'active'},
	{name: 'p08', kind: 'untested', initial: 'sandbox'},
	{name: 'p09', kind: 'untested', initial: 'stable'},
	{name: 'p10', kind: 'plain', initial: 'active'},
];

export type Fixture = {
	base: string;
	root: string;
	backup: string;
	remotes: string;
	logs: string;
	env: NodeJS.ProcessEnv;
	projects: ProjectSpec[];
	remoteOf(name: string): string;
};

/** Builds the fixture under a new temp folder. */
export async function buildFixture(): Promise<Fixture> {
	const base = await mkdtemp(path.join(os.tmpdir(), 'cws-torture-'));
	const root = path.join(base, 'ws');
	const backup = path.join(base, 'backup');
	const remotes = path.join(base, 'remotes');
	const home = path.join(base, 'home');
	const logs = path.join(base, 'logs');
	for (const dir of [backup, remotes, home, logs, path.join(home, '.config'), path.join(home, '.cache'), path.join(home, '.local/share'), path.join(home, '.local/state')]) {
		await mkdir(dir, {recursive: true, mode: 0o700});
	}

	const gitconfig = path.join(home, '.gitconfig');
	await writeFile(gitconfig, '[user]\n\tname = cws torture\n\temail = torture@example.invalid\n[init]\n\tdefaultBranch = main\n', {mode: 0o600});
	const env: NodeJS.ProcessEnv = {
		PATH: process.env['PATH'] ?? '/usr/bin:/bin',
		HOME: home,
		XDG_CONFIG_HOME: path.join(home, '.config'),
		XDG_CACHE_HOME: path.join(home, '.cache'),
		XDG_DATA_HOME: path.join(home, '.local/share'),
		XDG_STATE_HOME: path.join(home, '.local/state'),
		LANG: 'C.UTF-8',
		CI: 'false',
		NO_COLOR: '1',
		GIT_CONFIG_NOSYSTEM: '1',
		GIT_CONFIG_GLOBAL: gitconfig,
		GIT_TERMINAL_PROMPT: '0',
	};
	const fixture: Fixture = {base, root, backup, remotes, logs, env, projects: PROJECTS, remoteOf: name => path.join(remotes, `${name}.git`)};

	await must(runCli(root, ['init'], env));
	await writeConfig(root, backup);
	// Four at a time: cws itself must cope with concurrent creations.
	const queue = [...PROJECTS];
	await Promise.all(Array.from({length: 4}, async () => {
		for (let project = queue.shift(); project; project = queue.shift()) {
			await createProject(fixture, project);
		}
	}));

	return fixture;
}

async function createProject(fixture: Fixture, project: ProjectSpec): Promise<void> {
	const git = project.kind !== 'plain';
	await must(runCli(fixture.root, ['new', project.name, '--stage', project.initial, ...(git ? ['--git'] : [])], fixture.env));
	const dir = path.join(fixture.root, project.initial, project.name);
	await writeFile(path.join(dir, 'README.md'), `# ${project.name}\n\nA project of the torture run.\n`);
	if (project.kind === 'plain') {
		return;
	}

	if (project.kind === 'ready') {
		await writeFile(path.join(dir, 'LICENSE'), 'MIT License\n');
		await writeFile(path.join(dir, '.cws.json'), `${JSON.stringify({test: ['true']})}\n`);
	}

	const options = {cwd: dir, env: fixture.env};
	await mustRun('git', ['add', '-A'], options);
	await mustRun('git', ['commit', '-q', '-m', 'project files'], options);
	await mustRun('git', ['init', '-q', '--bare', '-b', 'main', fixture.remoteOf(project.name)], {env: fixture.env});
	await mustRun('git', ['remote', 'add', 'origin', fixture.remoteOf(project.name)], options);
}

/**
 * The sync policy, written by hand as the README shows (plain JSON, 0600):
 * retries fast enough to finish within the run, and finished jobs kept (no
 * retention pruning) so that every acknowledged job can be found again.
 */
async function writeConfig(root: string, backup: string): Promise<void> {
	const payload = {
		sync: {
			backupRoot: backup,
			stages: {
				active: {targets: [{name: 'origin', kind: 'git', remote: 'origin'}, {name: 'backup', kind: 'rsync', dest: path.join(backup, '{project}')}]},
			},
			retry: {attempts: 3, baseMs: 200, capMs: 1500, jitter: 0.5},
			retention: {doneDays: 365, doneKeep: 1_000_000, deadDays: 365},
			timeoutMs: 30_000,
		},
	};
	await writeFile(path.join(root, '.cws', 'config.json'), `${JSON.stringify(payload, null, 2)}\n`, {mode: 0o600});
}

async function must(result: Promise<{code: number | null; args: string[]; stderr: string}>): Promise<void> {
	const {code, args, stderr} = await result;
	if (code !== 0) {
		throw new Error(`cws ${args.join(' ')} exited ${code}: ${stderr.trim()}`);
	}
}
