import {terminalSafe} from '../../../commands/queue-text.js';
import {formatAge, type Job, type QueueStats} from '../../../core/queue/index.js';
import {SPINNER_FRAMES} from '../../components/message-line.js';

/** Colour role of a row or line; the view maps it to the theme. */
export type Tone = 'normal' | 'muted' | 'busy' | 'success' | 'warning' | 'error';

/** One job as the pane draws it. */
export type JobRow = {icon: string; name: string; status: string; detail: string | undefined; tone: Tone};

/** How long each spinner frame shows. */
export const SPINNER_MS = 250;

/** The spinner frame at `now`: it turns by itself as the pane's clock ticks. */
export function spinnerFrame(now: number): string {
	return SPINNER_FRAMES[Math.floor(now / SPINNER_MS) % SPINNER_FRAMES.length]!;
}

const ago = (now: number, at: number | undefined): string => formatAge(Math.max(0, now - (at ?? now)));

/**
 * How a job stands, in a few words, relative to `now`: state, attempt n/N,
 * elapsed time while running, the countdown to its next retry.
 */
export function jobRow(job: Job, now: number, command?: string): JobRow {
	const name = terminalSafe(`${job.project} → ${job.target.name}`);
	const attempt = `${job.attempt}/${job.maxAttempts}`;
	const error = job.lastError ? terminalSafe(job.lastError.message.split('\n')[0]!) : undefined;
	switch (job.state) {
		case 'running':
			return {
				icon: spinnerFrame(now),
				name,
				status: `${job.cancelRequested ? 'stopping' : 'running'} ${attempt} ${ago(now, job.startedAt)}`,
				detail: command === undefined ? undefined : terminalSafe(`$ ${command}`),
				tone: 'busy',
			};
		case 'pending':
			return {
				icon: '·',
				name,
				status: job.dueAt > now ? `due in ${formatAge(job.dueAt - now)}` : `queued ${ago(now, job.createdAt)}`,
				detail: job.attempt > 0 ? `attempt ${attempt} done` : undefined,
				tone: 'normal',
			};
		case 'failed':
			return {icon: '↻', name, status: `retry ${job.attempt + 1}/${job.maxAttempts} in ${formatAge(Math.max(0, job.dueAt - now))}`, detail: error, tone: 'warning'};
		case 'done':
			return {icon: '✓', name, status: `done ${ago(now, job.finishedAt)} ago`, detail: job.result ? terminalSafe(job.result.message) : undefined, tone: 'success'};
		case 'dead':
			return {icon: '✗', name, status: `dead ${attempt} ${ago(now, job.finishedAt)} ago`, detail: error, tone: 'error'};
		case 'conflict':
			return {icon: '!', name, status: `conflict ${ago(now, job.finishedAt)} ago`, detail: error, tone: 'error'};
		case 'cancelled':
			return {icon: '-', name, status: `cancelled ${ago(now, job.finishedAt)} ago`, detail: undefined, tone: 'muted'};
	}
}

/** Cuts `text` to `width` cells with an ellipsis (the pane's text is single-width: names are ASCII, the rest made safe). */
export function fit(text: string, width: number): string {
	if (width <= 0) return '';
	const chars = [...text];
	return chars.length <= width ? text : `${chars.slice(0, Math.max(0, width - 1)).join('')}…`;
}

const cells = (text: string): number => [...text].length;

/** Width of the name column: the longest name, as far as the longest status leaves room. */
export function nameColumn(rows: readonly JobRow[], width: number, headWidth: number): number {
	const longestName = Math.max(0, ...rows.map(row => cells(row.name)));
	const longestStatus = Math.max(0, ...rows.map(row => cells(row.status)));
	return Math.max(6, Math.min(longestName, width - headWidth - 1 - longestStatus));
}

/**
 * A job as one line of at most `width` cells: marker, icon, name (cut to
 * the name column), status, and when there is room the job's detail (its
 * command while running, its error).
 */
export function rowText(row: JobRow, width: number, marker: string, nameCol: number): string {
	const name = fit(row.name, nameCol);
	let line = `${marker}${row.icon} ${name}${' '.repeat(Math.max(0, nameCol - cells(name)))} ${row.status}`;
	const room = width - cells(line) - 3;
	if (row.detail && room >= 8) line = `${line} · ${fit(row.detail, room)}`;
	return fit(line, width);
}

const percent = (rate: number): string => `${Math.round(rate * 100)}%`;

/**
 * Jobs that need the person: dead or conflicting, and still the latest job
 * of their project and target (a later successful round settles them).
 */
export function needingAttention(jobs: readonly Job[]): number {
	const latest = new Map<string, Job>();
	for (const job of jobs) {
		const key = `${job.project}\u0000${job.target.name}`;
		const known = latest.get(key);
		if (!known || known.createdAt < job.createdAt) latest.set(key, job);
	}

	return [...latest.values()].filter(job => job.state === 'dead' || job.state === 'conflict').length;
}

/**
 * The "is my work safe" line in the widest form that fits: queue depth,
 * wait p50/p95 over 24 h, success rate over 24 h, and what needs attention.
 */
export function statsLine(stats: QueueStats, width: number, unreadable = 0, attention = stats.dead + stats.conflict): string {
	const p50 = stats.waitP50Ms === undefined ? '–' : formatAge(stats.waitP50Ms);
	const p95 = stats.waitP95Ms === undefined ? '–' : formatAge(stats.waitP95Ms);
	const rate = stats.successRate24h === undefined ? undefined : percent(stats.successRate24h);
	const bad = unreadable > 0 ? ` · ${unreadable} unreadable (cws verify)` : '';
	const problems = attention > 0 ? ` · ${attention} need${attention === 1 ? 's' : ''} you` : '';
	const candidates = [
		`depth ${stats.depth} (${stats.running} running, ${stats.pending} waiting, ${stats.failed} retrying) · wait p50 ${p50} p95 ${p95} · ${rate ? `${rate} ok of ${stats.finished24h} in 24 h` : 'no syncs in 24 h'}${problems}${bad}`,
		`depth ${stats.depth} · wait p50 ${p50} p95 ${p95} · ${rate ? `${rate} ok in 24 h` : 'no syncs in 24 h'}${problems}${bad}`,
		`depth ${stats.depth} · p50 ${p50} p95 ${p95} · ${rate ? `${rate} ok 24h` : 'no syncs 24h'}${problems}`,
		// Narrow: what needs attention is still in the pane's border and this line's colour.
		`depth ${stats.depth} · p50 ${p50} p95 ${p95} · ${rate ? `${rate} ok` : '–'}`,
		`depth ${stats.depth} · ${rate ? `${rate} ok` : '–'}${attention > 0 ? ` · ${attention}✗` : ''}`,
	];
	return fit(candidates.find(line => [...line].length <= width) ?? candidates.at(-1)!, width);
}
