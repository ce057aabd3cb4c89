import fs, {constants} from 'node:fs';
import path from 'node:path';
import {CwsError, errnoCode} from '../errors.js';
import {PRIVATE_FILE_MODE, toFsError} from '../file-ops.js';
import {readJsonl} from '../store.js';
import {ensureQueueDirs, queueDirs, type QueueWorkspace} from './jobs.js';
import type {LogEntry} from './types.js';

/** .cws/queue/logs/<id>.jsonl: every state change and every command a job ran. */
export function jobLogFile(ws: QueueWorkspace, id: string): string {
	return path.join(queueDirs(ws.paths).logs, `${id}.jsonl`);
}

/**
 * Appends one line to a job's log: a single O_APPEND write, so two processes
 * never interleave, and a crash loses at most the line being written. The log
 * is evidence, not state: it is not fsynced line by line (the job file is).
 * Each job state change is logged only after it is written (and, for an end
 * of a run, durable), so a line never tells of a change that was not made.
 *
 * The same guarantees as the store's appendJsonl (0600 whatever the umask, a
 * link in its place refused, a short write on a full disk ended with a
 * newline and reported), with synchronous calls: four system calls of a few
 * microseconds each on a local file, where the same calls through the
 * thread pool cost a round trip each and a worker logs twice per job.
 */
export async function appendJobLog(ws: QueueWorkspace, id: string, entry: LogEntry): Promise<void> {
	await ensureQueueDirs(ws);
	appendLineSync(jobLogFile(ws, id), entry);
}

const APPEND_FLAGS = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW;

function appendLineSync(file: string, record: object): void {
	const line = Buffer.from(`${JSON.stringify(record)}\n`, 'utf8');
	let fd: number;
	try {
		fd = fs.openSync(file, APPEND_FLAGS, PRIVATE_FILE_MODE);
	} catch (error) {
		if (errnoCode(error) === 'ELOOP') {
			throw new CwsError('SYMLINK_REFUSED', `Refusing to append to ${file}: it is a symbolic link.`, {
				hint: 'cws only writes its own regular files; replace the link with the file it points to, or remove it.',
			});
		}

		throw toFsError(error, file, 'append to');
	}

	try {
		if ((fs.fstatSync(fd).mode & 0o777) !== PRIVATE_FILE_MODE) {
			fs.fchmodSync(fd, PRIVATE_FILE_MODE);
		}

		const written = fs.writeSync(fd, line, 0, line.length);
		if (written !== line.length) {
			try {
				fs.writeSync(fd, '\n');
			} catch {
				// Already failing: the short write is what to report.
			}

			throw new CwsError('DISK_FULL', `Cannot append to ${file}: only ${written} of ${line.length} bytes were written (disk full or file size limit).`, {
				hint: `Free some space on the disk holding ${file} and retry; the partial line will be skipped when the log is read.`,
			});
		}
	} catch (error) {
		throw toFsError(error, file, 'append to');
	} finally {
		fs.closeSync(fd);
	}
}

/** The log of a job, oldest first (a torn last line is skipped). */
export async function readJobLog(ws: QueueWorkspace, id: string): Promise<LogEntry[]> {
	return readJsonl<LogEntry>(jobLogFile(ws, id));
}

/** Human-readable lines of a log entry, for `cws queue log` and the pane's log view. */
export function formatLogEntry(entry: LogEntry): string[] {
	const time = new Date(entry.at).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
	switch (entry.type) {
		case 'state': {
			return [`${time}  [attempt ${entry.attempt}] ${entry.from ?? 'new'} → ${entry.to}: ${entry.message}`];
		}

		case 'note': {
			return [`${time}  [attempt ${entry.attempt}] ${entry.message}`];
		}

		case 'command': {
			const status = entry.timedOut
				? 'timed out'
				: entry.error ?? (entry.signal ? `killed by ${entry.signal}` : `exit ${entry.exitCode}`);
			const lines = [`${time}  [attempt ${entry.attempt}] $ ${entry.argv.map(quoteArg).join(' ')}    (${status}, ${entry.durationMs} ms, in ${entry.cwd})`];
			for (const [label, tail] of [['stdout', entry.stdoutTail], ['stderr', entry.stderrTail]] as const) {
				const text = tail.replaceAll('\0', '␀').trimEnd();
				if (text !== '') {
					lines.push(...text.split('\n').slice(-20).map(line => `    ${label}| ${line}`));
				}
			}

			return lines;
		}
	}
}

function quoteArg(arg: string): string {
	return /^[\w./:@%+=,-]+$/.test(arg) ? arg : `'${arg.replaceAll('\'', '\'\\\'\'')}'`;
}
