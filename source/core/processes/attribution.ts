import fs from 'node:fs';
import path from 'node:path';
import {errnoCode} from '../errors.js';
import {STAGES, type Stage} from '../paths.js';
import type {ProcessInfo} from './types.js';

/** Where a process works: inside the workspace (maybe in one project) or outside it. */
export type Attribution = {
	/** cwd is the workspace root or below it. */
	inWorkspace: boolean;
	/** `<stage>/<name>` when cwd is inside a project folder, else null. */
	project: string | null;
	stage: Stage | null;
};

const OUTSIDE: Attribution = {inWorkspace: false, project: null, stage: null};

/**
 * Attributes processes to projects by working directory. The root is
 * compared by real path, since the kernel reports cwd with symlinks
 * resolved (a workspace reached through ~/ws → /data/ws shows as /data/ws).
 */
export class Attributor {
	readonly root: string;

	constructor(root: string) {
		this.root = realRoot(root);
	}

	/** Attribution of one process (by its cwd). */
	attribute(process: Pick<ProcessInfo, 'cwd'>): Attribution {
		return attributeCwd(this.root, process.cwd);
	}
}

/** Attribution of a cwd against an already real root. */
export function attributeCwd(root: string, cwd: string | null): Attribution {
	if (cwd === null) {
		return OUTSIDE;
	}

	const relative = path.relative(root, cwd);
	if (relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative)) {
		return OUTSIDE;
	}

	const [first, second] = relative === '' ? [] : relative.split(path.sep);
	const stage = STAGES.find(candidate => candidate === first);
	if (stage === undefined || second === undefined || second === '') {
		return {inWorkspace: true, project: null, stage: null};
	}

	return {inWorkspace: true, project: `${stage}/${second}`, stage};
}

/** Running-process count per project id (`<stage>/<name>`), for board cards. */
export function countByProject(attributions: Iterable<Attribution>): Map<string, number> {
	const counts = new Map<string, number>();
	for (const {project} of attributions) {
		if (project !== null) {
			counts.set(project, (counts.get(project) ?? 0) + 1);
		}
	}

	return counts;
}

function realRoot(root: string): string {
	try {
		return fs.realpathSync(root);
	} catch (error) {
		if (errnoCode(error) !== 'ENOENT') {
			throw error;
		}

		// A root that does not exist yet holds no processes; compare lexically.
		return path.resolve(root);
	}
}
