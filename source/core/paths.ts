import os from 'node:os';
import path from 'node:path';

/** The four stages of a project's life, in promotion order. */
export const STAGES = ['sandbox', 'active', 'stable', 'public'] as const;
export type Stage = (typeof STAGES)[number];

/** Every place inside a workspace root that the program reads or writes. */
export type WorkspacePaths = {
	/** Absolute workspace root. */
	root: string;
	/** One folder per stage; a project's folder inside it IS its stage. */
	stageDir: Record<Stage, string>;
	/** <root>/.cws: program state, 0700. */
	meta: string;
	/** <root>/.cws/state.json: project metadata. */
	state: string;
	/** <root>/.cws/config.json: workspace policy. */
	config: string;
	/** <root>/.cws/whitelist.json: process protection rules. */
	whitelist: string;
	/** <root>/.cws/queue: durable sync jobs. */
	queue: string;
	/** <root>/.cws/backups: last generations of each state file. */
	backups: string;
	/** <root>/.cws/quarantine: byte-for-byte copies of files that failed verification. */
	quarantine: string;
	/** <root>/.cws/archive: archived projects. */
	archive: string;
	/** <root>/.cws/trash: deleted projects wait here. */
	trash: string;
	/** <root>/.cws/locks: lock targets. */
	locks: string;
	/** <root>/.cws/audit.log: JSONL of signals, forced promotions, restores. */
	audit: string;
	/** <root>/.cws/sessions.jsonl: session log. */
	sessions: string;
};

/** Folders under .cws/ that every workspace has. */
export const META_DIRS = ['queue', 'backups', 'quarantine', 'archive', 'trash', 'locks'] as const;
export type MetaDir = (typeof META_DIRS)[number];

/** Where the workspace lives when neither --workspace nor $CWS_WORKSPACE says. */
export const DEFAULT_WORKSPACE_NAME = 'claude-workspace';

/** The layout of the workspace at `root` (made absolute against the current directory). */
export function workspacePaths(root: string): WorkspacePaths {
	const absolute = path.resolve(root);
	const meta = path.join(absolute, '.cws');
	const stageDir = Object.fromEntries(
		STAGES.map(stage => [stage, path.join(absolute, stage)]),
	) as Record<Stage, string>;
	return {
		root: absolute,
		stageDir,
		meta,
		state: path.join(meta, 'state.json'),
		config: path.join(meta, 'config.json'),
		whitelist: path.join(meta, 'whitelist.json'),
		queue: path.join(meta, 'queue'),
		backups: path.join(meta, 'backups'),
		quarantine: path.join(meta, 'quarantine'),
		archive: path.join(meta, 'archive'),
		trash: path.join(meta, 'trash'),
		locks: path.join(meta, 'locks'),
		audit: path.join(meta, 'audit.log'),
		sessions: path.join(meta, 'sessions.jsonl'),
	};
}

/** --workspace flag, else $CWS_WORKSPACE, else ~/claude-workspace; returns an absolute path. */
export function resolveWorkspaceRoot(options: {flag?: string; env?: NodeJS.ProcessEnv; home?: string}): string {
	const env = options.env ?? process.env;
	const home = options.home ?? env['HOME'] ?? os.homedir();
	const chosen = nonEmpty(options.flag) ?? nonEmpty(env['CWS_WORKSPACE']);
	if (chosen === undefined) {
		return path.join(path.resolve(home), DEFAULT_WORKSPACE_NAME);
	}

	// A value quoted in a config file or cron line reaches us without shell
	// tilde expansion; expand it so '~/ws' does not become './~/ws'.
	if (chosen === '~') {
		return path.resolve(home);
	}

	if (chosen.startsWith('~/')) {
		return path.resolve(home, chosen.slice(2));
	}

	return path.resolve(chosen);
}

function nonEmpty(value: string | undefined): string | undefined {
	return value === undefined || value.trim() === '' ? undefined : value;
}
