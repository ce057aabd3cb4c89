import type {CommandLogEntry} from '../../core/command-log.js';

const quote = (arg: string): string => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`);

/** A command as a person would type it in a shell. */
export function commandText(entry: CommandLogEntry): string {
	return [entry.command, ...entry.args].map(quote).join(' ');
}

/** 'exit 0 · 1.2 s', 'running', 'SIGKILL', 'failed: ENOENT'. */
export function outcomeText(entry: CommandLogEntry): string {
	if (entry.status === 'running') return 'running';
	const duration = entry.durationMs === undefined ? '' : ` · ${formatDuration(entry.durationMs)}`;
	if (entry.signal) return `${entry.signal}${duration}`;
	if (entry.exitCode !== undefined) return `exit ${entry.exitCode}${duration}`;
	return `${entry.error ?? 'failed'}${duration}`;
}

export function formatDuration(ms: number): string {
	if (ms < 1000) return `${Math.round(ms)} ms`;
	if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
	return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** HH:MM:SS of a timestamp, local time. */
export function clock(ms: number): string {
	return new Date(ms).toTimeString().slice(0, 8);
}
