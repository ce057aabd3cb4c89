import {lstat, readFile} from 'node:fs/promises';
import path from 'node:path';
import type {Stage} from '../paths.js';
import type {SyncConfig} from './config.js';
import {hardenedEnv, runCommand, succeeded, type CommandRunner} from './exec.js';
import {parseRsyncDest} from './runners/rsync.js';
import type {Target} from './types.js';
import {ownValue} from '../own-key.js';

/** Name of the backup target the default policy adds from `backupRoot`. */
export const DEFAULT_BACKUP_TARGET = 'backup';
/** Name of the push target the default policy adds when a project has `origin`. */
export const DEFAULT_PUSH_TARGET = 'origin';
/** Stages from which the default policy backs up, and from which it pushes. */
const BACKUP_STAGES: readonly Stage[] = ['active', 'stable', 'public'];
const PUSH_STAGES: readonly Stage[] = ['stable', 'public'];

export type ResolveOptions = {
	config: SyncConfig;
	project: string;
	stage: Stage;
	projectDir: string;
	/**
	 * Include export targets outside the Public stage (an explicit
	 * `--target`); automatic syncs export only Public projects.
	 */
	includeAllExports?: boolean;
	/** Whether the project's repository has this remote (default: configHasRemote). */
	hasRemote?: (projectDir: string, remote: string) => Promise<boolean>;
};

/**
 * The targets a project syncs to at a stage. A stage listed in the config
 * replaces the default policy for that stage: Sandbox nothing; Active and up
 * a backup to <backupRoot>/<project> when a backup root is set; Stable and
 * Public a push to `origin` when the project has that remote. Project
 * targets are added on top (same name: the project's wins) and a project can
 * disable inherited ones. `{project}` in a destination or repository is
 * replaced by the project name.
 */
export async function resolveTargets(options: ResolveOptions): Promise<Target[]> {
	const {config, project, stage} = options;
	const hasRemote = options.hasRemote ?? configHasRemote;
	const fromStage = config.stages[stage];
	let inherited: Target[];
	if (fromStage) {
		inherited = fromStage.targets.map(target => forProject(target, project, true));
	} else {
		inherited = [];
		if (config.backupRoot !== undefined && BACKUP_STAGES.includes(stage)) {
			inherited.push({name: DEFAULT_BACKUP_TARGET, kind: 'rsync', dest: joinDest(config.backupRoot, project), excludes: []});
		}

		if (PUSH_STAGES.includes(stage) && (await hasRemote(options.projectDir, 'origin'))) {
			inherited.push({name: DEFAULT_PUSH_TARGET, kind: 'git', remote: 'origin', autoCommit: false});
		}
	}

	// Own keys only: "constructor" is a valid project name, and Object.prototype has one.
	const own = ownValue(config.projects, project);
	const byName = new Map<string, Target>();
	for (const target of inherited) {
		if (!own?.disabled.includes(target.name)) {
			byName.set(target.name, target);
		}
	}

	for (const target of own?.targets ?? []) {
		byName.set(target.name, forProject(target, project, false));
	}

	return [...byName.values()].filter(target => target.kind !== 'export' || stage === 'public' || options.includeAllExports);
}

/**
 * Fills in `{project}`. A stage-wide backup destination without the
 * placeholder gets the project name appended: the same folder for every
 * project with --delete-after would have each backup erase the others.
 */
function forProject(target: Target, project: string, stageWide: boolean): Target {
	const fill = (text: string) => text.replaceAll('{project}', project);
	switch (target.kind) {
		case 'rsync': {
			const dest = target.dest.includes('{project}') || !stageWide ? fill(target.dest) : joinDest(target.dest, project);
			return {...target, dest};
		}

		case 'export': {
			return {...target, repo: fill(target.repo)};
		}

		default: {
			return target;
		}
	}
}

function joinDest(root: string, project: string): string {
	const parsed = parseRsyncDest(root);
	if (parsed.remote) {
		const base = parsed.path === '' ? project : path.posix.join(parsed.path, project);
		return `${parsed.host}:${base}`;
	}

	return path.join(parsed.path, project);
}

/** Whether `git remote get-url <remote>` succeeds in the project folder. */
export async function gitHasRemote(projectDir: string, remote: string, run: CommandRunner = runCommand): Promise<boolean> {
	const result = await run(['git', 'remote', 'get-url', '--', remote], {
		cwd: projectDir,
		env: {...hardenedEnv(process.env), GIT_CEILING_DIRECTORIES: path.dirname(projectDir)},
		timeoutMs: 10_000,
	});
	return succeeded(result);
}

/**
 * Whether the project's repository names this remote, read from .git/config
 * without starting git: cexit and the board ask this of every Stable and
 * Public project, thousands of them. No .git folder means no remote. A .git
 * that is a file or a link (worktree, submodule), an unreadable config or
 * one with include directives is left to git itself (`fallback`).
 */
export async function configHasRemote(projectDir: string, remote: string, fallback: (projectDir: string, remote: string) => Promise<boolean> = gitHasRemote): Promise<boolean> {
	const gitDir = path.join(projectDir, '.git');
	const stats = await lstat(gitDir).catch(() => undefined);
	if (!stats) {
		return false;
	}

	if (!stats.isDirectory()) {
		return fallback(projectDir, remote);
	}

	let text: string;
	try {
		text = await readFile(path.join(gitDir, 'config'), 'utf8');
	} catch {
		return fallback(projectDir, remote);
	}

	if (/^\s*\[\s*include(?:if)?\b/im.test(text)) {
		return fallback(projectDir, remote);
	}

	return remoteInConfig(text, remote);
}

/**
 * Whether git config text defines `remote.<name>.*`: git counts a remote as
 * configured once any of its keys is set. Section names are case-blind,
 * the quoted subsection is exact; the old `[remote.name]` form is lower-cased.
 */
export function remoteInConfig(text: string, remote: string): boolean {
	let inside = false;
	for (const raw of text.split(/\r?\n/)) {
		let line = raw.trim();
		const header = /^\[\s*([A-Za-z0-9.-]+)(?:\s+"((?:[^"\\]|\\.)*)")?\s*\]/.exec(line);
		if (header) {
			const section = header[1]!.toLowerCase();
			const sub = header[2]?.replace(/\\(.)/g, '$1');
			inside = sub === undefined ? section === `remote.${remote.toLowerCase()}` : section === 'remote' && sub === remote;
			line = line.slice(header[0].length).trim();
		}

		if (inside && /^[A-Za-z]/.test(line)) {
			return true;
		}
	}

	return false;
}
