import {spawn, type ChildProcess, type SpawnOptions} from 'node:child_process';
import {mkdir} from 'node:fs/promises';
import path from 'node:path';
import {setTimeout as delay} from 'node:timers/promises';
import {ProcessControl, type ProcessControlOptions} from '../../../source/core/processes/index.js';
import {readStat} from '../../../source/core/processes/proc-fs.js';
import {Store} from '../../../source/core/store.js';
import {initWorkspace} from '../../../source/core/workspace.js';
import type {WorkspacePaths} from '../../../source/core/paths.js';
import {makeTempDir, type TempDir} from '../../helpers/tmp.js';

/** A process a test started, with the identity the code under test must use. */
export type Started = {pid: number; startTime: number; child: ChildProcess};

/** Starts processes and SIGKILLs whatever is left of them (by pid and start time) at the end. */
export class Spawner {
	private readonly started: Started[] = [];
	private readonly groups: number[] = [];

	/** Spawns `file args`; resolves once the process has exec'd (comm is `waitForComm` when given). */
	async start(file: string, args: string[], options: SpawnOptions & {waitForComm?: string} = {}): Promise<Started> {
		const {waitForComm, ...spawnOptions} = options;
		const child = spawn(file, args, {stdio: 'ignore', ...spawnOptions});
		child.on('error', () => undefined);
		if (child.pid === undefined) {
			throw new Error(`could not spawn ${file}`);
		}

		if (spawnOptions.detached) {
			this.groups.push(child.pid);
		}

		const stat = await waitFor(() => {
			const current = readStat(child.pid!);
			return current && (waitForComm === undefined || current.comm === waitForComm) ? current : undefined;
		}, `pid ${child.pid} to start`);
		const started = {pid: child.pid, startTime: stat.startTime, child};
		this.started.push(started);
		return started;
	}

	/** Registers a process started some other way (e.g. a grandchild) for the final cleanup. */
	track(pid: number): Started | undefined {
		const stat = readStat(pid);
		if (stat === undefined) {
			return undefined;
		}

		const started = {pid, startTime: stat.startTime, child: undefined as unknown as ChildProcess};
		this.started.push(started);
		return started;
	}

	/** SIGKILL for every process this spawner started that is still the same process. */
	async killAll(): Promise<void> {
		for (const pgid of this.groups.splice(0)) {
			try {
				process.kill(-pgid, 'SIGKILL');
			} catch {
				// The group is already gone.
			}
		}

		for (const {pid, startTime} of this.started.splice(0)) {
			if (readStat(pid)?.startTime === startTime) {
				try {
					process.kill(pid, 'SIGKILL');
				} catch {
					// Exited in between.
				}
			}
		}
	}
}

/** True while `pid` is the same, not yet exited (non-zombie) process. */
export function isAlive(process: {pid: number; startTime: number}): boolean {
	const stat = readStat(process.pid);
	return stat !== undefined && stat.startTime === process.startTime && stat.state !== 'Z' && stat.state !== 'X';
}

/** Polls `check` every 20 ms until it returns a value; throws after `ms`. */
export async function waitFor<T>(check: () => T | undefined | false, what: string, ms = 10_000): Promise<T> {
	const deadline = Date.now() + ms;
	for (;;) {
		const value = check();
		if (value !== undefined && value !== false) {
			return value;
		}

		if (Date.now() > deadline) {
			throw new Error(`timed out waiting for ${what}`);
		}

		await delay(20);
	}
}

/** A fresh workspace with project folders, its store and a ProcessControl over it. */
export type TestWorkspace = {
	dir: TempDir;
	paths: WorkspacePaths;
	store: Store;
	control: ProcessControl;
	/** Creates <root>/<stage>/<name> and returns its path. */
	project(stage: string, name: string): Promise<string>;
};

export async function testWorkspace(options: Partial<ProcessControlOptions> = {}): Promise<TestWorkspace> {
	const dir = await makeTempDir('processes');
	const {paths} = await initWorkspace(path.join(dir.path, 'ws'));
	const store = new Store(paths.meta);
	return {
		dir,
		paths,
		store,
		control: ProcessControl.forWorkspace({paths, store}, options),
		async project(stage, name) {
			const folder = path.join(paths.root, stage, name);
			await mkdir(folder, {recursive: true});
			return folder;
		},
	};
}

/** A kill(2) that records every call and then really signals. */
export function recordingKill(): {calls: Array<{pid: number; signal: NodeJS.Signals}>; kill: (pid: number, signal: NodeJS.Signals) => void} {
	const calls: Array<{pid: number; signal: NodeJS.Signals}> = [];
	return {
		calls,
		kill(pid, signal) {
			calls.push({pid, signal});
			process.kill(pid, signal);
		},
	};
}
