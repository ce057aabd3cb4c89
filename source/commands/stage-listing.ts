import {readdir} from 'node:fs/promises';
import {STAGES, type Stage, type WorkspacePaths} from '../core/paths.js';

/** One board column: a stage and the project folders in it, sorted by name. */
export type StageColumn = {stage: Stage; projects: string[]; error?: string};

/**
 * Lists the project folders of each stage, read-only. A missing stage folder
 * is an empty column; any other read error is shown in the column rather
 * than hidden.
 */
export async function readStageColumns(paths: WorkspacePaths): Promise<StageColumn[]> {
	return Promise.all(
		STAGES.map(async stage => {
			try {
				const entries = await readdir(paths.stageDir[stage], {withFileTypes: true});
				const projects = entries
					.filter(entry => entry.isDirectory() && !entry.name.startsWith('.'))
					.map(entry => entry.name)
					.sort();
				return {stage, projects};
			} catch (error) {
				const code = (error as NodeJS.ErrnoException).code;
				if (code === 'ENOENT') return {stage, projects: []};
				return {stage, projects: [], error: `cannot read ${paths.stageDir[stage]}: ${code ?? String(error)}`};
			}
		}),
	);
}
