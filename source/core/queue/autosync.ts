import {readdir} from 'node:fs/promises';
import {isValidProjectName} from '../board/index.js';
import {isCwsError} from '../errors.js';
import {STAGES} from '../paths.js';
import type {SyncConfig} from './config.js';
import type {EnqueueResult} from './enqueue.js';
import type {QueueWorkspace} from './jobs.js';
import {syncProject} from './sync.js';
import type {Job} from './types.js';

/**
 * Enqueues an automatic sync for every project of a stage that has an
 * autosync interval (off by default) and whose newest job is older than
 * that interval. Several workers may do this at once: enqueue returns the
 * job already waiting, so nothing is doubled.
 */
export async function enqueueAutosync(ws: QueueWorkspace, config: SyncConfig, jobs: readonly Job[], now: number): Promise<EnqueueResult[]> {
	const results: EnqueueResult[] = [];
	for (const stage of STAGES) {
		const minutes = config.autosyncMinutes[stage];
		if (minutes === undefined) {
			continue;
		}

		const entries = await readdir(ws.paths.stageDir[stage], {withFileTypes: true}).catch(() => []);
		for (const entry of entries) {
			if (!entry.isDirectory() || !isValidProjectName(entry.name)) {
				continue;
			}

			const newest = Math.max(0, ...jobs.filter(job => job.project === entry.name).map(job => job.createdAt));
			if (now - newest < minutes * 60_000) {
				continue;
			}

			try {
				results.push(...(await syncProject(ws, entry.name, {config, reason: 'autosync', now})).results);
			} catch (error) {
				// A project with nowhere to sync, or that just moved, is not an error of the queue.
				if (!isCwsError(error)) {
					throw error;
				}
			}
		}
	}

	return results;
}
