import fsSync from 'node:fs';
import {ACTIVITY_SKIP, type ActivityOptions, type ActivityProbe} from './activity.js';

/** What a walk of one project gave: its probe, or why it failed (errno code and message). */
export type WalkOutcome = {probe: ActivityProbe} | {code: string | undefined; message: string};

/** The few synchronous calls a walk makes; node:fs in practice. */
type WalkFs = Pick<typeof fsSync, 'lstatSync' | 'readdirSync'>;

/**
 * Walks every folder of `dirs` with synchronous calls, one project after
 * the other, exactly as probeActivity does with promises. Self-contained
 * (no reference to anything outside its parameters) because its source
 * is what the walker thread runs.
 */
export function walkProjectsSync(dirs: readonly string[], options: {maxEntries: number; maxDepth: number; skip: readonly string[]}, fs: WalkFs): WalkOutcome[] {
	const transient = ['ENOENT', 'ENOTDIR', 'EACCES', 'EPERM'];
	const outcomes: WalkOutcome[] = [];
	for (const dir of dirs) {
		let newestMs = 0;
		let newestPath: string | null = null;
		let files = 0;
		let entries = 0;
		let truncated = false;
		const walked: Array<[string, number]> = [];
		let level = [''];
		let failure: WalkOutcome | undefined;
		for (let depth = 0; level.length > 0 && failure === undefined; depth++) {
			const next: string[] = [];
			for (const relative of level) {
				const absolute = relative === '' ? dir : `${dir}/${relative}`;
				let items;
				try {
					const stat = fs.lstatSync(absolute);
					items = fs.readdirSync(absolute, {withFileTypes: true});
					walked.push([relative, stat.mtimeMs]);
				} catch (error) {
					const code = (error as NodeJS.ErrnoException).code;
					// A folder that vanished or cannot be read mid-walk is not an error for a heuristic.
					if (relative === '' || !transient.includes(code ?? '')) {
						failure = {code, message: (error as Error).message};
						break;
					}

					continue;
				}

				for (const item of items) {
					if (entries >= options.maxEntries) {
						truncated = true;
						break;
					}

					entries++;
					const child = relative === '' ? item.name : `${relative}/${item.name}`;
					if (item.isDirectory()) {
						if (options.skip.includes(item.name)) continue;
						if (depth + 1 > options.maxDepth) truncated = true;
						else next.push(child);
						continue;
					}

					let mtimeMs;
					try {
						mtimeMs = fs.lstatSync(`${dir}/${child}`).mtimeMs;
					} catch (error) {
						const code = (error as NodeJS.ErrnoException).code;
						if (!transient.includes(code ?? '')) {
							failure = {code, message: (error as Error).message};
							break;
						}

						continue;
					}

					files++;
					if (mtimeMs > newestMs) {
						newestMs = mtimeMs;
						newestPath = child;
					}
				}

				if (truncated || failure !== undefined) break;
			}

			if ((truncated && entries >= options.maxEntries) || failure !== undefined) break;
			level = next;
		}

		if (failure !== undefined) {
			outcomes.push(failure);
			continue;
		}

		// An empty project: its folder's own time is all there is.
		if (newestPath === null) newestMs = walked[0]?.[1] ?? 0;
		outcomes.push({probe: {activity: {newestMs, newestPath, files, truncated}, dirs: walked}});
	}

	return outcomes;
}

/** Walks in the thread: its own copy of the function above, fed through workerData. */
const WORKER_SOURCE = `
const {parentPort, workerData} = require('node:worker_threads');
const walk = (${walkProjectsSync.toString()});
parentPort.postMessage(walk(workerData.dirs, workerData.options, require('node:fs')));
`;

/** Bounds of a walk with the defaults filled in. */
export function walkBounds(options: ActivityOptions = {}): {maxEntries: number; maxDepth: number; skip: string[]} {
	return {maxEntries: options.maxEntries ?? 5000, maxDepth: options.maxDepth ?? 8, skip: [...ACTIVITY_SKIP]};
}

/**
 * Walks many projects at once in a worker thread. A cold board of
 * thousands of projects is tens of thousands of stats; synchronous calls
 * in a thread of their own cost a fraction of what promises through the
 * libuv pool cost per call, and the interface's thread stays free to
 * answer keys. The thread ends when the walk does.
 */
export async function walkInThread(dirs: readonly string[], options: ActivityOptions = {}): Promise<WalkOutcome[]> {
	// Loaded on first use, after the interface's first frame (a few ms of its start otherwise); not
	// through import(), which the interface's script (compiled with vm.Script) cannot call.
	const {Worker} = process.getBuiltinModule('node:worker_threads');
	const worker = new Worker(WORKER_SOURCE, {eval: true, workerData: {dirs, options: walkBounds(options)}});
	try {
		return await new Promise<WalkOutcome[]>((resolve, reject) => {
			worker.once('message', resolve);
			worker.once('error', reject);
			worker.once('exit', code => {
				reject(new Error(`the folder walker thread stopped (exit code ${code}) before it answered`));
			});
		});
	} finally {
		void worker.terminate();
	}
}
