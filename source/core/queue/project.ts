import path from 'node:path';
import {locateProject} from '../board/index.js';
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
