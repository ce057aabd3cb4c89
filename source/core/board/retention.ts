import {isCwsError} from '../errors.js';
import type {BoardWorkspace} from './context.js';
import {archiveProject} from './lifecycle.js';
import {BoardScanner, isStale} from './scanner.js';

/** A sandbox project nobody touched for the configured age. */
export type StaleProject = {name: string; dir: string; newest: string; idleDays: number};

export type SandboxCleanup = {
	staleAfterDays: number;
	stale: StaleProject[];
	archived: string[];
	failed: Array<{name: string; error: string}>;
	dryRun: boolean;
};

/** Sandbox projects whose newest file is older than the configured age (default 30 days). */
export async function findStaleSandbox(ws: BoardWorkspace, options: {now?: () => number; staleAfterDays?: number} = {}): Promise<{staleAfterDays: number; stale: StaleProject[]}> {
	const now = (options.now ?? Date.now)();
	const scanner = new BoardScanner(ws, {now: () => now});
	const listing = await scanner.list();
	const days = options.staleAfterDays ?? scanner.boardConfig.sandboxStaleDays;
	const sandbox = listing.cards.filter(card => card.stage === 'sandbox' && !card.duplicate);
	const activity = await scanner.activity(sandbox);
	const stale: StaleProject[] = [];
	for (const card of sandbox) {
		const found = activity.get(card.key);
		if (isStale(card, found, days, now) && found) {
			stale.push({name: card.name, dir: card.dir, newest: new Date(found.newestMs).toISOString(), idleDays: Math.floor((now - found.newestMs) / 86_400_000)});
		}
	}

	return {staleAfterDays: days, stale};
}

/**
 * Archives every stale sandbox project (never deletes). A project that
 * cannot be archived (say, a folder of that name is already archived) is
 * reported and the others go on.
 */
export async function cleanupSandbox(ws: BoardWorkspace, options: {dryRun?: boolean; now?: () => number; staleAfterDays?: number; requestedBy?: string} = {}): Promise<SandboxCleanup> {
	const {staleAfterDays, stale} = await findStaleSandbox(ws, options);
	const result: SandboxCleanup = {staleAfterDays, stale, archived: [], failed: [], dryRun: options.dryRun === true};
	if (options.dryRun) {
		return result;
	}

	for (const project of stale) {
		try {
			await archiveProject(ws, project.name, {reason: `stale: no change for ${project.idleDays} days`, ...(options.requestedBy ? {requestedBy: options.requestedBy} : {})});
			result.archived.push(project.name);
		} catch (error) {
			if (!isCwsError(error)) {
				throw error;
			}

			result.failed.push({name: project.name, error: error.message});
		}
	}

	return result;
}
