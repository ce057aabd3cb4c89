import {readFile} from 'node:fs/promises';
import {readFileSync} from 'node:fs';
import os from 'node:os';

/**
 * Field 22 of /proc/<pid>/stat: when the process started, in clock ticks
 * since boot. A pid plus this value names one process for the machine's
 * uptime, so a recycled pid is never mistaken for the process we recorded.
 * Undefined when the process does not exist or is a zombie (or /proc is
 * unavailable).
 */
export async function processStartTime(pid: number): Promise<string | undefined> {
	try {
		return parseStartTime(await readFile(`/proc/${pid}/stat`, 'utf8'));
	} catch {
		return undefined;
	}
}

/** Synchronous variant for the worker's own identity at start-up. */
export function processStartTimeSync(pid: number): string | undefined {
	try {
		return parseStartTime(readFileSync(`/proc/${pid}/stat`, 'utf8'));
	} catch {
		return undefined;
	}
}

function parseStartTime(stat: string): string | undefined {
	// The command name (field 2) is in parentheses and may itself contain
	// spaces or ')': split after the LAST ')'. Field 3 (the state) is then
	// index 0. A zombie has exited; only its parent has not collected it yet.
	const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
	return rest[0] === 'Z' || rest[0] === 'X' ? undefined : rest[19];
}

/** True when the process that had `startTime` still runs under `pid`. */
export async function isProcessAlive(pid: number, startTime: string): Promise<boolean> {
	if (!Number.isInteger(pid) || pid <= 0) {
		return false;
	}

	const current = await processStartTime(pid);
	if (current === undefined) {
		// No /proc entry: fall back to signal 0 only when /proc is missing altogether.
		return procMissing() ? signalZero(pid) : false;
	}

	return current === startTime;
}

let procChecked: boolean | undefined;
function procMissing(): boolean {
	procChecked ??= processStartTimeSync(process.pid) === undefined;
	return procChecked;
}

function signalZero(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

/**
 * Kills the process group led by `pid` when that leader is still the process
 * that started at `startTime` (commands run in their own group, see exec.ts).
 * Returns whether a signal was sent.
 */
export async function killProcessGroup(pid: number, startTime: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<boolean> {
	if (pid <= 1 || pid === process.pid || !(await isProcessAlive(pid, startTime))) {
		return false;
	}

	try {
		process.kill(-pid, signal);
		return true;
	} catch {
		return false;
	}
}

/** This host's name, recorded in leases: a pid means nothing on another machine. */
export function hostName(): string {
	return os.hostname();
}
