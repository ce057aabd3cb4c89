import {lstat} from 'node:fs/promises';
import path from 'node:path';
import {workspacePaths, type WorkspacePaths} from '../../paths.js';
import {succeeded} from '../exec.js';
import {queueDirs} from '../jobs.js';
import {findProjectSettled, type ProjectLocation} from '../project.js';
import type {RunOutcome, Target} from '../types.js';
import {retry, type RunContext, type Runner} from './types.js';

/** Times one run starts over from a project's new place before it leaves the job to a retry. */
const MAX_RERUNS = 3;
/** Looks at the stage folders this often when the project is briefly in none or two (a rename seen halfway). */

/** What makes a folder the same folder: a rename keeps it, a new folder at the old path does not. */
type FolderId = {dev: number; ino: number};

/**
 * Makes a runner follow its project when the folder is moved (`cws move`,
 * promote, demote) or vanishes while the job runs. A command started in a
 * folder that was renamed away fails (no such directory, not a git
 * repository, nothing to compare), and the runner would turn that failure
 * into a verdict about a repository that is fine. So the folder is pinned
 * by identity when the run starts and checked after every failed command
 * and once the runner answers; if it is no longer there, the answer is
 * discarded, the project is looked up again by name, and the runner starts
 * over from where the project is now. Only an answer given while the
 * folder stayed put is returned. A project that cannot be found (archived,
 * removed, still mid-rename) or keeps moving becomes a retry, never a
 * dead or conflict job.
 */
export function followProject<T extends Target>(runOnce: Runner<T>): Runner<T> {
	return async (target, context) => {
		let dir = context.projectDir;
		for (let rerun = 0; ; rerun++) {
			const pin = await folderId(dir);
			if (pin !== undefined) {
				const watched = watchFolder(context, dir, pin);
				let outcome: RunOutcome | undefined;
				let thrown: {error: unknown} | undefined;
				try {
					outcome = await runOnce(target, watched.context);
				} catch (error) {
					thrown = {error};
				}

				// A cancel or stop ends the run whatever the folder did.
				if (context.signal.aborted || !(await watched.moved())) {
					if (thrown) {
						throw thrown.error;
					}

					return outcome!;
				}
			}

			const found = rerun < MAX_RERUNS ? await locate(context) : undefined;
			if (found === undefined) {
				return retry('PROJECT_MOVED', `Project ${context.project} was moved or removed while its ${context.job.target.name} sync ran (it was in ${dir}); nothing was decided about it.`,
					'The job runs again from wherever the project is then; if the project was archived or deleted, cancel the job.');
			}

			await context.note(`The project folder ${dir} moved while the job ran; running again from ${found.dir} (${found.stage}).`);
			dir = found.dir;
		}
	};
}

/** A context whose commands run in `dir`, and that notices the folder leaving. */
function watchFolder(base: RunContext, dir: string, pin: FolderId): {context: RunContext; moved: () => Promise<boolean>} {
	let gone = false;
	const moved = async () => {
		gone ||= !sameFolder(pin, await folderId(dir));
		return gone;
	};

	// git must not find a repository above the project in its new stage either.
	const ceiling = path.dirname(dir);
	const context: RunContext = {
		...base,
		projectDir: dir,
		async run(argv, options) {
			const result = await base.run(argv, {...options, env: {GIT_CEILING_DIRECTORIES: ceiling, ...options.env}});
			if (!succeeded(result)) {
				// Checked at the failure, so a folder moved away and back still voids the answer.
				await moved();
			}

			return result;
		},
		folderMoved: moved,
	};
	return {context, moved};
}

async function folderId(dir: string): Promise<FolderId | undefined> {
	try {
		const stats = await lstat(dir);
		return stats.isDirectory() ? {dev: stats.dev, ino: stats.ino} : undefined;
	} catch {
		return undefined;
	}
}

function sameFolder(a: FolderId, b: FolderId | undefined): boolean {
	return b !== undefined && a.dev === b.dev && a.ino === b.ino;
}

/**
 * Where the project is now, by name. A rename in progress can make the
 * stage listing see it in no stage or two for an instant, so those answers
 * are asked again a few times; archived, unsafe or still missing: undefined.
 */
async function locate(context: RunContext): Promise<ProjectLocation | undefined> {
	const paths = workspaceOf(context);
	if (paths === undefined) {
		return undefined;
	}

	try {
		return await findProjectSettled(paths, context.project, context.signal);
	} catch {
		// Archived, unsafe or still missing: the caller turns "nowhere" into a
		// retry (PROJECT_MOVED), never a verdict, so the reason is not needed here.
		return undefined;
	}
}

/** The workspace the run belongs to, read back from its folders; undefined if they do not fit one. */
function workspaceOf(context: RunContext): WorkspacePaths | undefined {
	const paths = workspacePaths(path.dirname(path.dirname(context.exportsDir)));
	const inStage = Object.values(paths.stageDir).includes(path.dirname(context.projectDir));
	return queueDirs(paths).exports === context.exportsDir && inStage ? paths : undefined;
}
