import fs from 'node:fs';
import os from 'node:os';
import {errnoCode} from '../errors.js';
import {parseProcStat, type ProcStat} from './proc-stat.js';

/**
 * Small synchronous reads of /proc. The listing reads a few tiny files per
 * process; synchronous reads into one reused buffer cost about half of
 * readFileSync and a quarter of the promise API at this size (measured with
 * scripts/bench-processes.ts), and a 1,000-process listing stays in the
 * tens of milliseconds.
 */
const buffer = Buffer.allocUnsafe(64 * 1024);

/** Errors that mean "this process is gone or not ours to look at". */
const EXPECTED = new Set(['ENOENT', 'ESRCH', 'EACCES', 'EPERM', 'EINVAL', 'ENOTDIR']);

/** Reads up to 64 KiB of a /proc file; undefined when the process vanished or hides it. */
export function readProcFile(file: string, encoding: BufferEncoding = 'latin1'): string | undefined {
	let fd: number;
	try {
		fd = fs.openSync(file, 'r');
	} catch (error) {
		return expected(error);
	}

	try {
		let length = 0;
		for (;;) {
			const read = fs.readSync(fd, buffer, length, buffer.length - length, null);
			length += read;
			if (read === 0 || length === buffer.length) {
				break;
			}
		}

		return buffer.toString(encoding, 0, length);
	} catch (error) {
		return expected(error);
	} finally {
		fs.closeSync(fd);
	}
}

/** readlink of a /proc link; undefined when unreadable (EACCES) or gone (ENOENT). */
export function readProcLink(file: string): string | undefined {
	try {
		return fs.readlinkSync(file);
	} catch (error) {
		return expected(error);
	}
}

/** Owner uid of /proc/<pid> (the process's effective uid); undefined when gone. */
export function procOwner(pid: number): number | undefined {
	try {
		return fs.statSync(`/proc/${pid}`, {throwIfNoEntry: false})?.uid;
	} catch (error) {
		return expected(error);
	}
}

/** The current stat of a pid, or undefined when no such process exists. */
export function readStat(pid: number): ProcStat | undefined {
	const text = readProcFile(`/proc/${pid}/stat`);
	return text === undefined ? undefined : parseProcStat(text);
}

/** Numeric entries of /proc. */
export function listPids(): number[] {
	const pids: number[] = [];
	for (const entry of fs.readdirSync('/proc')) {
		const code = entry.charCodeAt(0);
		if (code >= 48 && code <= 57) {
			pids.push(Number(entry));
		}
	}

	return pids;
}

let bootSeconds: number | undefined;

/** System boot time in seconds since the epoch (/proc/stat btime). */
export function bootTime(): number {
	if (bootSeconds === undefined) {
		const match = /^btime (\d+)$/m.exec(readProcFile('/proc/stat') ?? '');
		bootSeconds = match ? Number(match[1]) : Math.round(Date.now() / 1000 - uptimeSeconds());
	}

	return bootSeconds;
}

function uptimeSeconds(): number {
	return Number((readProcFile('/proc/uptime') ?? '0').split(' ')[0]);
}

let cachedPageSize: number | undefined;

/** Memory page size, from the AT_PAGESZ entry of /proc/self/auxv (4096 if unreadable). */
export function pageSize(): number {
	if (cachedPageSize === undefined) {
		cachedPageSize = 4096;
		try {
			const auxv = fs.readFileSync('/proc/self/auxv');
			// Pairs of native 64-bit words: type, value. AT_PAGESZ is 6.
			const word = (offset: number): bigint => os.endianness() === 'LE' ? auxv.readBigUInt64LE(offset) : auxv.readBigUInt64BE(offset);
			for (let offset = 0; offset + 16 <= auxv.length; offset += 16) {
				if (word(offset) === 6n) {
					cachedPageSize = Number(word(offset + 8));
					break;
				}
			}
		} catch (error) {
			expected(error);
		}
	}

	return cachedPageSize;
}

function expected(error: unknown): undefined {
	if (EXPECTED.has(errnoCode(error) ?? '')) {
		return undefined;
	}

	throw error;
}
