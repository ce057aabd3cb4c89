import fs from 'node:fs';
import {attributeCwd} from './attribution.js';
import {listPids, readProcLink} from './proc-fs.js';
import {stripDeleted} from './proc-stat.js';

/**
 * Which processes work in which project of the workspace at `root`, read
 * with one readlink of /proc/<pid>/cwd per process: the per-project counts
 * are made of exactly this (a process belongs to the project its cwd is
 * in), so while the answer stays the same the counts cannot have changed.
 * The returned function answers undefined where there is no /proc or it
 * could not be read: the caller then takes the full listing, which reports
 * what went wrong.
 */
export function projectCwdProbe(root: string): () => string | undefined {
	if (process.platform !== 'linux') return () => undefined;
	let real = root;
	try {
		real = fs.realpathSync(root);
	} catch {
		// A root that cannot be resolved now is compared as given, like the listing does.
	}

	const inside = real.endsWith('/') ? real : `${real}/`;
	return () => {
		try {
			const parts: string[] = [];
			for (const pid of listPids()) {
				// Gone, a kernel thread, or another user's: the listing sees no cwd either.
				const cwd = readProcLink(`/proc/${pid}/cwd`);
				// Most processes work elsewhere: a prefix test spares them the path arithmetic.
				if (cwd === undefined || !cwd.startsWith(inside)) continue;
				const {project} = attributeCwd(real, stripDeleted(cwd).path);
				if (project !== null) parts.push(`${pid}:${project}`);
			}

			return parts.join(' ');
		} catch {
			// No answer: the caller takes the listing, whose own read reports the error.
			return undefined;
		}
	};
}
