import {configSection, readConfigPayload} from '../config-file.js';
import {SchemaError} from '../envelope.js';
import {CwsError} from '../errors.js';
import {STAGES, type Stage, type WorkspacePaths} from '../paths.js';
import type {StateSpec, Store} from '../store.js';
import type {Target} from './types.js';
import {ConfigProblem, integer, isRecord, optionalString, parseTarget, PROJECT_NAME, record, rsyncDest} from './validate.js';

/** Retry policy: attempts in all, exponential backoff from baseMs up to capMs, ± jitter. */
export type RetryPolicy = {attempts: number; baseMs: number; capMs: number; jitter: number};

/** How long finished jobs stay in .cws/queue/. */
export type RetentionPolicy = {doneDays: number; doneKeep: number; deadDays: number};

/** Targets of one stage or one project. */
export type TargetSet = {
	targets: Target[];
	/** Names of inherited targets (from the stage) this project does not want. */
	disabled: string[];
};

/** The `sync` section of .cws/config.json, with every default filled in. */
export type SyncConfig = {
	/** Where default backups go: <backupRoot>/<project> (absolute path or host:path). */
	backupRoot: string | undefined;
	/** A stage listed here replaces the default policy for that stage. */
	stages: Partial<Record<Stage, TargetSet>>;
	/** Per project: extra targets (or replacements of stage targets with the same name). */
	projects: Record<string, TargetSet>;
	retry: RetryPolicy;
	concurrency: number;
	/** Default limit of one external command. */
	timeoutMs: number;
	retention: RetentionPolicy;
	/** Minutes between automatic syncs per stage; absent = off (the default). */
	autosyncMinutes: Partial<Record<Stage, number>>;
	/** The board warns when a project's last successful sync is older than this. */
	staleAfterHours: number;
};

export const DEFAULT_SYNC_CONFIG: SyncConfig = {
	backupRoot: undefined,
	stages: {},
	projects: {},
	retry: {attempts: 5, baseMs: 5000, capMs: 600_000, jitter: 0.5},
	concurrency: 2,
	timeoutMs: 120_000,
	retention: {doneDays: 7, doneKeep: 500, deadDays: 30},
	autosyncMinutes: {},
	staleAfterHours: 24,
};

const DAY = 24 * 3600_000;

/**
 * Validates the `sync` section of config.json and fills in defaults. Throws
 * SchemaError naming the field, e.g. `sync.stages.active.targets[0].dest
 * must be an absolute path or host:path`.
 */
export function parseSyncConfig(raw: unknown): SyncConfig {
	try {
		return parseSection(raw);
	} catch (error) {
		if (error instanceof ConfigProblem) {
			throw new SchemaError(error.message);
		}

		throw error;
	}
}

function parseSection(raw: unknown): SyncConfig {
	if (raw === undefined || raw === null) {
		return structuredClone(DEFAULT_SYNC_CONFIG);
	}

	const sync = record(raw, 'sync');
	const d = DEFAULT_SYNC_CONFIG;
	const backupRoot = optionalString(sync['backupRoot'], 'sync.backupRoot');
	const retry = sync['retry'] === undefined ? {} : record(sync['retry'], 'sync.retry');
	const retention = sync['retention'] === undefined ? {} : record(sync['retention'], 'sync.retention');
	const jitter = retry['jitter'] ?? d.retry.jitter;
	if (typeof jitter !== 'number' || jitter < 0 || jitter > 1) {
		throw new ConfigProblem('sync.retry.jitter', 'must be a number from 0 to 1');
	}

	const stages: Partial<Record<Stage, TargetSet>> = {};
	for (const [stage, value] of Object.entries(sync['stages'] === undefined ? {} : record(sync['stages'], 'sync.stages'))) {
		if (!(STAGES as readonly string[]).includes(stage)) {
			throw new ConfigProblem(`sync.stages.${stage}`, `is not a stage (use ${STAGES.join(', ')})`);
		}

		stages[stage as Stage] = targetSet(value, `sync.stages.${stage}`);
	}

	const projects: Record<string, TargetSet> = {};
	for (const [name, value] of Object.entries(sync['projects'] === undefined ? {} : record(sync['projects'], 'sync.projects'))) {
		if (!PROJECT_NAME.test(name)) {
			throw new ConfigProblem(`sync.projects.${name}`, `is not a valid project name (${PROJECT_NAME.source})`);
		}

		projects[name] = targetSet(value, `sync.projects.${name}`);
	}

	const autosyncMinutes: Partial<Record<Stage, number>> = {};
	for (const [stage, value] of Object.entries(sync['autosyncMinutes'] === undefined ? {} : record(sync['autosyncMinutes'], 'sync.autosyncMinutes'))) {
		if (!(STAGES as readonly string[]).includes(stage)) {
			throw new ConfigProblem(`sync.autosyncMinutes.${stage}`, `is not a stage (use ${STAGES.join(', ')})`);
		}

		autosyncMinutes[stage as Stage] = integer(value, `sync.autosyncMinutes.${stage}`, 0, 1, 7 * 24 * 60);
	}

	const baseMs = integer(retry['baseMs'], 'sync.retry.baseMs', d.retry.baseMs, 1, DAY);
	return {
		backupRoot: backupRoot === undefined ? undefined : rsyncDest(backupRoot, 'sync.backupRoot'),
		stages,
		projects,
		retry: {
			attempts: integer(retry['attempts'], 'sync.retry.attempts', d.retry.attempts, 1, 100),
			baseMs,
			capMs: integer(retry['capMs'], 'sync.retry.capMs', Math.max(d.retry.capMs, baseMs), baseMs, 7 * DAY),
			jitter,
		},
		concurrency: integer(sync['concurrency'], 'sync.concurrency', d.concurrency, 1, 64),
		timeoutMs: integer(sync['timeoutMs'], 'sync.timeoutMs', d.timeoutMs, 1000, DAY),
		retention: {
			doneDays: integer(retention['doneDays'], 'sync.retention.doneDays', d.retention.doneDays, 0, 3650),
			doneKeep: integer(retention['doneKeep'], 'sync.retention.doneKeep', d.retention.doneKeep, 0, 1_000_000),
			deadDays: integer(retention['deadDays'], 'sync.retention.deadDays', d.retention.deadDays, 0, 3650),
		},
		autosyncMinutes,
		staleAfterHours: integer(sync['staleAfterHours'], 'sync.staleAfterHours', d.staleAfterHours, 1, 24 * 3650),
	};
}

function targetSet(value: unknown, field: string): TargetSet {
	const raw = Array.isArray(value) ? {targets: value} : record(value, field);
	const list = raw['targets'] ?? [];
	if (!Array.isArray(list)) {
		throw new ConfigProblem(`${field}.targets`, 'must be a list of targets');
	}

	const targets = list.map((item, index) => parseTarget(item, `${field}.targets[${index}]`));
	const names = new Set<string>();
	for (const target of targets) {
		if (names.has(target.name)) {
			throw new ConfigProblem(`${field}.targets`, `has two targets named ${target.name}`);
		}

		names.add(target.name);
	}

	const disabled = raw['disabled'] ?? [];
	if (!Array.isArray(disabled) || disabled.some(name => typeof name !== 'string')) {
		throw new ConfigProblem(`${field}.disabled`, 'must be a list of target names');
	}

	return {targets, disabled: disabled as string[]};
}

/** config.json as written: sections belong to different modules; this one reads `sync`. */
export type WorkspaceConfigPayload = Record<string, unknown>;

/**
 * The StateSpec of .cws/config.json. It checks the `sync` section and keeps
 * the payload as written (defaults are not written back, and sections of
 * other modules pass through untouched).
 */
export const workspaceConfigSpec: StateSpec<WorkspaceConfigPayload> = {
	name: 'config.json',
	version: 1,
	parse(payload) {
		if (!isRecord(payload)) {
			throw new SchemaError('config.json must hold an object');
		}

		parseSyncConfig(payload['sync']);
		return payload;
	},
	initial: () => ({}),
};

/**
 * The sync policy of a workspace (defaults when config.json is missing or has
 * no `sync` section). A file in the store's envelope is read through the
 * store (verified, recovered from backup when damaged); a plain JSON file, as
 * a person writes it by hand, is read as is. Either way an invalid `sync`
 * section is a CONFIG_INVALID error naming the field, never silently replaced.
 */
export async function readSyncConfig(paths: WorkspacePaths, store: Store): Promise<SyncConfig> {
	const payload = await readConfigPayload(paths, async () => (await store.read(workspaceConfigSpec)).data);
	if (payload === undefined) {
		return structuredClone(DEFAULT_SYNC_CONFIG);
	}

	try {
		return parseSyncConfig(configSection(payload, 'sync'));
	} catch (error) {
		throw new CwsError('CONFIG_INVALID', `${paths.config}: ${(error as Error).message}.`, {
			hint: 'Fix that field of the "sync" section, then try again.',
		});
	}
}

/** The policy as a long-running worker sees it: re-read on demand, the last good one kept. */
export type ConfigSource = {current(): Promise<SyncConfig>; reload(): Promise<SyncConfig>};

/**
 * A config made invalid by hand is reported through `onProblem` (once per
 * distinct problem) and the last good config, or the defaults, is used: the
 * queue keeps running what it holds while the person fixes the file.
 */
export function createConfigSource(paths: WorkspacePaths, store: Store, onProblem: (message: string) => void): ConfigSource {
	let config: SyncConfig | undefined;
	let problem: string | undefined;
	const reload = async () => {
		try {
			config = await readSyncConfig(paths, store);
			problem = undefined;
		} catch (error) {
			const message = error instanceof Error ? error.message : String(error);
			if (message !== problem) {
				problem = message;
				onProblem(message);
			}

			config ??= structuredClone(DEFAULT_SYNC_CONFIG);
		}

		return config;
	};

	return {current: async () => config ?? reload(), reload};
}
