import path from 'node:path';
import {appendJsonl, readJsonl} from '../store.js';
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
 */
export async function appendJobLog(ws: QueueWorkspace, id: string, entry: LogEntry): Promise<void> {
	await ensureQueueDirs(ws);
	await appendJsonl(jobLogFile(ws, id), entry);
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
