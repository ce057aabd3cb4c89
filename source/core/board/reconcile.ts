import fs from 'node:fs/promises';
import {errnoCode} from '../errors.js';
import {fromRelative, type BoardWorkspace} from './context.js';
import type {MoveIntent} from './model.js';
import {clearIntent, finishIntent} from './relocate.js';
import {boardStateSpec} from './schema.js';

/** The lock every folder rename of the board holds. */
export const WORKSPACE_LOCK = 'workspace';

/** What reconciliation did with an interrupted move. */
export type ReconcileReport = {
	intent: MoveIntent;
	/** completed: the folder had moved, history now says so; rolled-back: it had not, the intent is dropped; lost: the folder is in neither place. */
	action: 'completed' | 'rolled-back' | 'lost';
	message: string;
};

/**
 * Finishes or undoes a move interrupted by a crash, from where the folder
 * actually is, so that the project is in exactly one place and its history
 * says which. Takes the workspace lock (a move in progress in another
 * process is not interrupted, it is waited for). Cheap when nothing is
 * pending: one read of the state, no lock.
 */
export async function reconcileIntents(ws: BoardWorkspace): Promise<ReconcileReport[]> {
	const {data} = await ws.store.read(boardStateSpec);
	if (!data.pending) {
		return [];
	}

	return ws.store.withLock(WORKSPACE_LOCK, async () => reconcileLocked(ws));
}

/** reconcileIntents for a caller that already holds the workspace lock. */
export async function reconcileLocked(ws: BoardWorkspace): Promise<ReconcileReport[]> {
	const {data} = await ws.store.read(boardStateSpec);
	const intent = data.pending;
	if (!intent) {
		return [];
	}

	const [atOrigin, atTarget] = await Promise.all([exists(fromRelative(ws.paths, intent.fromPath)), exists(fromRelative(ws.paths, intent.toPath))]);
	const what = `${intent.kind} of "${intent.name}" from ${intent.fromPath} to ${intent.toPath}`;
	if (atOrigin) {
		// rename(2) is atomic: if the origin still exists, the rename did not happen.
		await clearIntent(ws, intent.id);
		return [{intent, action: 'rolled-back', message: `An interrupted ${what} had not happened; the project stays in ${intent.from}.`}];
	}

	if (atTarget) {
		await finishIntent(ws, intent);
		return [{intent, action: 'completed', message: `An interrupted ${what} had happened; its history is now recorded.`}];
	}

	await clearIntent(ws, intent.id);
	return [{intent, action: 'lost', message: `An interrupted ${what} left no folder in either place; the project is shown as missing.`}];
}

async function exists(target: string): Promise<boolean> {
	try {
		await fs.lstat(target);
		return true;
	} catch (error) {
		if (errnoCode(error) === 'ENOENT') {
			return false;
		}

		throw error;
	}
}
