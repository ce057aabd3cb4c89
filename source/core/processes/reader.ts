import {readDarwinProcesses} from './darwin-reader.js';
import {readLinuxProcess, readLinuxProcesses, type RawProcess} from './linux-reader.js';
import {readProcFile} from './proc-fs.js';
import {CLOCK_TICKS} from './proc-stat.js';
import type {ProcessInfo} from './types.js';

/** Where process facts come from: /proc on Linux, ps on macOS; a test may supply its own. */
export type ProcessSource = {
	/** Every visible process. */
	list(): Promise<RawProcess[]>;
	/** One process read fresh, or undefined when the pid does not exist. */
	probe(pid: number): Promise<RawProcess | undefined>;
	/** Real and effective uid of a process, undefined when it is gone. */
	uids(pid: number): Promise<{real: number; effective: number} | undefined>;
};

/** /proc, read directly. */
export const linuxSource: ProcessSource = {
	async list() {
		return readLinuxProcesses();
	},
	async probe(pid) {
		return readLinuxProcess(pid);
	},
	async uids(pid) {
		const match = /^Uid:\s+(\d+)\s+(\d+)/m.exec(readProcFile(`/proc/${pid}/status`) ?? '');
		return match ? {real: Number(match[1]), effective: Number(match[2])} : undefined;
	},
};

/** `ps` and `lsof` through execa. */
export const darwinSource: ProcessSource = {
	list: async () => readDarwinProcesses(),
	async probe(pid) {
		const all = await readDarwinProcesses(async (file, args) => {
			// Narrow the ps calls to one pid; lsof output for other pids is ignored.
			const narrowed = file === 'ps' ? ['-ww', '-p', String(pid), ...args.slice(1)] : args;
			const {execa} = await import('execa');
			const result = await execa(file, narrowed, {timeout: 10_000, reject: false, env: {LC_ALL: 'C'}});
			return result.stdout;
		});
		return all.find(process => process.pid === pid);
	},
	async uids(pid) {
		const {execa} = await import('execa');
		const result = await execa('ps', ['-p', String(pid), '-o', 'ruid=,uid='], {timeout: 10_000, reject: false});
		const [real, effective] = result.stdout.trim().split(/\s+/).map(Number);
		return real === undefined || effective === undefined || Number.isNaN(real) ? undefined : {real, effective};
	},
};

/** The source for this platform. */
export function platformSource(): ProcessSource {
	return process.platform === 'linux' ? linuxSource : darwinSource;
}

/**
 * Lists processes and works out CPU% from the CPU time used since this
 * reader's previous listing. Keep one reader per view that refreshes; a
 * fresh reader reports each process's lifetime average the first time.
 */
export class ProcessReader {
	private previous = new Map<string, {ticks: number; at: number}>();

	constructor(
		readonly source: ProcessSource = platformSource(),
		private readonly now: () => number = Date.now,
	) {}

	/** Every visible process with CPU% filled in. */
	async list(): Promise<ProcessInfo[]> {
		const raw = await this.source.list();
		const at = this.now();
		const next = new Map<string, {ticks: number; at: number}>();
		const processes = raw.map(process => {
			const key = `${process.pid}:${process.startTime}`;
			const before = this.previous.get(key);
			next.set(key, {ticks: process.cpuTicks, at});
			const cpuPercent = before && at > before.at
				? cpuShare(process.cpuTicks - before.ticks, at - before.at)
				: cpuShare(process.cpuTicks, at - process.startedAt);
			return {...process, cpuPercent};
		});
		this.previous = next;
		return processes;
	}
}

function cpuShare(ticks: number, elapsedMs: number): number {
	if (elapsedMs <= 0 || ticks <= 0) {
		return 0;
	}

	return Math.round((ticks / CLOCK_TICKS / (elapsedMs / 1000)) * 1000) / 10;
}
