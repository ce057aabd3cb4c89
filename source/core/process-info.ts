import {randomBytes} from 'node:crypto';
import {readFileSync} from 'node:fs';
import {errnoCode} from './errors.js';

/** Fields of /proc/<pid>/stat after the command name (which may hold spaces and parentheses). */
function statFields(pid: number): string[] | undefined {
	try {
		const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
		return text.slice(text.lastIndexOf(')') + 2).split(' ');
	} catch {
		return undefined;
	}
}

/**
 * The start time of a process (field 22 of /proc/<pid>/stat, clock ticks
 * since boot), which tells a process from a later one that reused its pid.
 * Undefined where /proc is not available.
 */
export function processStartTime(pid: number): string | undefined {
	return statFields(pid)?.[19];
}

/**
 * Whether a process of this host is running: it exists, is not a zombie,
 * and (when `start` is given and /proc is available) is the one that
 * recorded that start time.
 */
export function isProcessAlive(pid: number, start?: string): boolean {
	if (!Number.isSafeInteger(pid) || pid <= 0) {
		return false;
	}

	try {
		process.kill(pid, 0);
	} catch (error) {
		// EPERM: it exists but belongs to another user.
		return errnoCode(error) === 'EPERM';
	}

	const fields = statFields(pid);
	if (!fields) {
		return true;
	}

	if (fields[0] === 'Z' || fields[0] === 'X') {
		return false;
	}

	return start === undefined || fields[19] === start;
}

/** A short random token, for names that must not collide between processes. */
export function randomToken(): string {
	return randomBytes(6).toString('hex');
}
