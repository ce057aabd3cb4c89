import {lstat, realpath} from 'node:fs/promises';
import path from 'node:path';
import {CwsError, errnoCode} from '../errors.js';
import {STAGES, type Stage, type WorkspacePaths} from '../paths.js';
import {PROJECT_NAME} from './validate.js';

/** Where a project is: its stage and its folder. */
export type ProjectLocation = {name: string; stage: Stage; dir: string};

/**
 * Finds the project folder `<root>/<stage>/<name>`. Refuses a bad name, a
 * symlinked stage or project folder, a folder resolving outside the root,
 * and a name present in two stages (a sync must know which copy it syncs).
 */
export async function findProject(paths: WorkspacePaths, name: string): Promise<ProjectLocation> {
	if (!PROJECT_NAME.test(name)) {
		throw new CwsError('BAD_PROJECT_NAME', `${JSON.stringify(name)} is not a valid project name.`, {
			hint: 'Project names are lower-case letters, digits, dot, dash and underscore; `cws list` shows them.',
		});
	}

	const found: ProjectLocation[] = [];
	for (const stage of STAGES) {
		const dir = path.join(paths.stageDir[stage], name);
		let stats;
		try {
			stats = await lstat(dir);
		} catch (error) {
			if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') {
				continue;
			}

			throw error;
		}

		if (stats.isSymbolicLink() || (await lstat(paths.stageDir[stage])).isSymbolicLink()) {
			throw new CwsError('PROJECT_SYMLINK', `${dir} is reached through a symbolic link; cws does not sync through links.`, {
				hint: 'Replace the link with the real folder, then sync again.',
			});
		}

		if (stats.isDirectory()) {
			found.push({name, stage, dir});
		}
	}

	if (found.length === 0) {
		throw new CwsError('NOT_FOUND', `No project "${name}" in ${paths.root}.`, {hint: 'Run `cws list` to see the projects.'});
	}

	if (found.length > 1) {
		throw new CwsError('AMBIGUOUS', `Project "${name}" has folders in ${found.map(item => item.stage).join(' and ')}; it must be in exactly one stage.`, {
			hint: 'Keep one folder and move or rename the other, then sync again.',
		});
	}

	const location = found[0]!;
	const [rootReal, dirReal] = await Promise.all([realpath(paths.root), realpath(location.dir)]);
	if (!dirReal.startsWith(`${rootReal}${path.sep}`)) {
		throw new CwsError('OUTSIDE_WORKSPACE', `${location.dir} resolves outside the workspace (${dirReal}).`, {hint: 'Move the project into the workspace.'});
	}

	return location;
}
