import {lstat} from 'node:fs/promises';
import path from 'node:path';
import {isValidProjectName} from '../board/index.js';
import {STAGES} from '../paths.js';
import {DEFAULT_SYNC_CONFIG, readSyncConfig, type SyncConfig} from './config.js';
import type {QueueWorkspace} from './jobs.js';
import {resolveTargets} from './targets.js';

/** Which projects sync anywhere, answered from a cache that looks up what it is asked about. */
export type SyncTargetIndex = {
	/**
	 * true or false when known; undefined until first looked up. Asking
	 * starts a look-up in the background when the answer is missing or older
	 * than the index's freshness limit; listeners hear when an answer changes.
	 */
	has(project: string): boolean | undefined;
	/** Goes up whenever an answer changes. */
	readonly version: number;
	subscribe(listener: () => void): () => void;
	close(): void;
};

export type SyncTargetIndexOptions = {
	/** How long an answer is trusted before it is looked up again (ms, default 5 s). */
	freshMs?: number;
	now?: () => number;
};

/**
 * A lazy index of "has a sync target" for the board's badges: only projects
 * on screen are asked about, each look-up is a few stats and at most one
 * read of .git/config (see configHasRemote), and one read of config.json
 * serves a batch. A config that cannot be read keeps the last good policy
 * (the worker reports the problem).
 */
export function createSyncTargetIndex(ws: QueueWorkspace, options: SyncTargetIndexOptions = {}): SyncTargetIndex {
	const freshMs = options.freshMs ?? 5000;
	const now = options.now ?? Date.now;
	const answers = new Map<string, {value: boolean; at: number}>();
	const wanted = new Set<string>();
	const listeners = new Set<() => void>();
	let config: SyncConfig | undefined;
	let version = 0;
	let busy = false;
	let closed = false;

	const lookUp = async (project: string, policy: SyncConfig): Promise<boolean> => {
		for (const stage of STAGES) {
			const dir = path.join(ws.paths.stageDir[stage], project);
			const stats = await lstat(dir).catch(() => undefined);
			if (stats?.isDirectory() && (await resolveTargets({config: policy, project, stage, projectDir: dir})).length > 0) {
				return true;
			}
		}

		return false;
	};

	const drain = async () => {
		busy = true;
		try {
			while (wanted.size > 0 && !closed) {
				config = await readSyncConfig(ws.paths, ws.store).catch(() => config ?? structuredClone(DEFAULT_SYNC_CONFIG));
				const batch = [...wanted];
				wanted.clear();
				let changed = false;
				for (const project of batch) {
					// A folder that cannot be looked at stays unknown: the badge then shows only what jobs say.
					const value = await lookUp(project, config).catch(() => undefined);
					if (value === undefined) continue;
					changed ||= answers.get(project)?.value !== value;
					answers.set(project, {value, at: now()});
				}

				if (changed && !closed) {
					version++;
					for (const listener of [...listeners]) listener();
				}
			}
		} finally {
			busy = false;
		}
	};

	return {
		has(project) {
			const known = answers.get(project);
			if (!closed && isValidProjectName(project) && (!known || now() - known.at > freshMs)) {
				wanted.add(project);
				if (!busy) void drain();
			}

			return known?.value;
		},
		get version() {
			return version;
		},
		subscribe(listener) {
			listeners.add(listener);
			return () => listeners.delete(listener);
		},
		close() {
			closed = true;
			listeners.clear();
		},
	};
}
