import {formatAge, type Job, type LogEntry, type Target} from '../core/queue/index.js';

/**
 * Text from outside the program (job logs hold git's and rsync's output,
 * a remote's error messages, file names) made safe to draw: control
 * characters become their visible control pictures (ESC → ␛), so nothing a
 * remote prints can move the cursor, change colours or retitle the
 * terminal; C1 controls and bidirectional overrides become '�'; a tab
 * becomes spaces (its width depends on the column).
 */
export function terminalSafe(text: string): string {
	// eslint-disable-next-line no-control-regex
	return text.replaceAll('\t', '    ').replaceAll(/[\u0000-\u001F\u007F-\u009F\u200E\u200F\u202A-\u202E\u2066-\u2069]/g, ch => {
		const code = ch.codePointAt(0)!;
		if (code < 0x20) return String.fromCodePoint(0x2400 + code);
		if (code === 0x7f) return '␡';
		return '�';
	});
}

/** Where a target sends the project, in a few words. */
export function targetWhere(target: Target): string {
	switch (target.kind) {
		case 'git':
			return `git push to ${target.remote}${target.branch ? ` (${target.branch})` : ''}${target.autoCommit ? ', committing pending changes' : ''}`;
		case 'rsync':
			return `rsync backup to ${target.dest}`;
		case 'export':
			return `public export to ${target.repo}${target.branch ? ` (${target.branch})` : ''}`;
		case 'custom':
			return `${target.runner} (custom)`;
	}
}

/** Lines of the log dialog are wrapped to this width: an 80-column terminal's dialog shows them whole. */
export const LOG_WIDTH = 76;

const pad = (value: number): string => String(value).padStart(2, '0');
const clock = (at: number): string => {
	const date = new Date(at);
	return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
};

const day = (at: number): string => {
	const date = new Date(at);
	return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
};

/** An argument as a shell would need it quoted, so a logged command can be pasted. */
function quoteArg(arg: string): string {
	return /^[\w./:@%+=,-]+$/.test(arg) ? arg : `'${arg.replaceAll('\'', '\'\\\'\'')}'`;
}

/** One log entry for the dialog: the time and attempt, then what happened; a command's outcome and output tails below it. */
export function logEntryLines(entry: LogEntry): string[] {
	const head = `${clock(entry.at)} #${entry.attempt}`;
	switch (entry.type) {
		case 'state':
			return [`${head} ${entry.from ?? 'new'} → ${entry.to}: ${entry.message}`];
		case 'note':
			return [`${head} ${entry.message}`];
		case 'command': {
			const status = entry.timedOut ? 'timed out' : (entry.error ?? (entry.signal ? `killed by ${entry.signal}` : `exit ${entry.exitCode}`));
			const lines = [`${head} $ ${entry.argv.map(quoteArg).join(' ')}`, `    ${status} · ${entry.durationMs} ms · in ${entry.cwd}`];
			for (const [label, tail] of [['out', entry.stdoutTail], ['err', entry.stderrTail]] as const) {
				const text = tail.trimEnd();
				if (text !== '') lines.push(...text.split(/\r?\n/).slice(-20).map(line => `    ${label}| ${line}`));
			}

			return lines;
		}
	}
}

/**
 * Wraps a line to `width` characters, at a space where there is one in the
 * second half of the line, else mid-word; continuation lines are indented.
 */
export function wrapLine(line: string, width = LOG_WIDTH): string[] {
	const indent = '      ';
	const pieces: string[] = [];
	let rest = [...line.trimEnd()];
	let room = width;
	while (rest.length > room) {
		const space = rest.lastIndexOf(' ', room);
		const cut = space > room / 2 ? space : room;
		pieces.push((pieces.length > 0 ? indent : '') + rest.slice(0, cut).join('').trimEnd());
		rest = rest.slice(cut);
		while (rest[0] === ' ') rest = rest.slice(1);
		room = width - indent.length;
	}

	pieces.push((pieces.length > 0 ? indent : '') + rest.join(''));
	return pieces;
}

/**
 * What the queue pane's log dialog shows for a job: where it stands, what
 * went wrong and what to do about it (a conflict's commands), then every
 * state change and every command it ran with the tail of its output. Made
 * safe for the terminal and wrapped to LOG_WIDTH.
 */
export function jobDetailLines(job: Job, log: readonly LogEntry[], now: number): string[] {
	const lines = [
		`Job ${job.id}: ${job.project} → ${job.target.name}`,
		`Target: ${targetWhere(job.target)}`,
		`State: ${job.state}${job.cancelRequested ? ' (stop requested)' : ''} · attempt ${job.attempt} of ${job.maxAttempts} · queued ${formatAge(Math.max(0, now - job.createdAt))} ago (${job.reason})`,
	];
	if (job.state === 'failed') lines.push(`Next retry in ${formatAge(Math.max(0, job.dueAt - now))}.`);
	if (job.result) lines.push(`Result: ${job.result.message}`);
	if (job.lastError) {
		lines.push(`Error: ${job.lastError.message}`);
		if (job.lastError.hint) lines.push(`Hint: ${job.lastError.hint}`);
	}

	if (job.resolution && job.resolution.length > 0) {
		lines.push('', 'To resolve, in the project folder:', ...job.resolution.map(command => `  ${command}`));
	}

	lines.push('', log.length === 0 ? 'No log entries yet.' : `Log, oldest first (${log.length} entries; #n is the attempt):`);
	let lastDay = '';
	for (const entry of log) {
		if (day(entry.at) !== lastDay) {
			lastDay = day(entry.at);
			lines.push(`— ${lastDay} —`);
		}

		lines.push(...logEntryLines(entry));
	}

	return lines.flatMap(line => line.split(/\r?\n/)).map(terminalSafe).flatMap(line => wrapLine(line));
}
