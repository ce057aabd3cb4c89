import path from 'node:path';
import {locateProject} from '../board/index.js';
import {isCwsError} from '../errors.js';
import type {Stage, WorkspacePaths} from '../paths.js';

/** Where a project is: its stage and its folder. */
export type ProjectLocation = {name: string; stage: Stage; dir: string};

/**
 * Finds the project folder `<root>/<stage>/<name>` with the board's rules:
 * a bad name (BAD_NAME), no such project (NOT_FOUND), one in two stages
 * (AMBIGUOUS), an archived one (ARCHIVED), a symlinked or escaping folder
 * are all refused, so a sync never reads from an unexpected place.
 */
export async function findProject(paths: WorkspacePaths, name: string): Promise<ProjectLocation> {
	const location = await locateProject(paths, name);
	const stage = location as Stage;
	return {name, stage, dir: path.join(paths.stageDir[stage], name)};
}

const SETTLE_TRIES = 5;
const SETTLE_PAUSE_MS = 40;

/**
 * findProject for a job about to run or running: a move in progress can
 * make the stage listing see the project in no stage or in two for an
 * instant (the stages are read one after the other), so those two answers
 * are asked again a few times before they are believed. Any other refusal,
 * and the last answer, is thrown as findProject throws it.
 */
export async function findProjectSettled(paths: WorkspacePaths, name: string, signal?: AbortSignal): Promise<ProjectLocation> {
	for (let tries = 1; ; tries++) {
		try {
			return await findProject(paths, name);
		} catch (error) {
			const passing = isCwsError(error) && (error.code === 'NOT_FOUND' || error.code === 'AMBIGUOUS');
			if (!passing || tries >= SETTLE_TRIES || signal?.aborted) {
				throw error;
			}
		}

		await new Promise(resolve => setTimeout(resolve, SETTLE_PAUSE_MS * tries));
	}
}
