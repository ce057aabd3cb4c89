import {UsageError} from '../core/errors.js';
import {
	cancelJob, currentTarget, describeJob, describeStats, formatLogEntry, listJobs, readJobLog, readQueueStats, readSyncConfig,
	resolveJobId, retryJob, runWorker, syncProject, type Job, type WorkerEvent,
} from '../core/queue/index.js';
import type {CliCommand, CliContext} from './types.js';

const json = {type: 'boolean', description: 'print JSON instead of text'} as const;

function print(ctx: CliContext, data: unknown): void {
	ctx.stdout(JSON.stringify(data, null, 2));
}

function jobTable(ctx: CliContext, jobs: readonly Job[], now: number): void {
	const rows = jobs.map(job => [job.id, job.state, job.project, job.target.name, `${job.attempt}/${job.maxAttempts}`, describeJob(job, now)]);
	const header = ['ID', 'STATE', 'PROJECT', 'TARGET', 'TRY', 'NOTE'];
	const widths = header.map((title, column) => Math.max(title.length, ...rows.map(row => row[column]!.length)));
	const line = (row: string[]) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ').trimEnd();
	ctx.stdout(line(header));
	for (const row of rows) {
		ctx.stdout(line(row));
	}
}

function eventLine(event: WorkerEvent): string | undefined {
	switch (event.type) {
		case 'queued': {
			return `${event.job.id} ${event.job.project} → ${event.job.target.name}: queued (${event.job.reason})`;
		}

		case 'claimed': {
			return `${event.job.id} ${event.job.project} → ${event.job.target.name}: started (attempt ${event.job.attempt}/${event.job.maxAttempts})`;
		}

		case 'finished': {
			const {job} = event;
			const detail = job.state === 'done' ? job.result?.message : job.lastError?.message;
			return `${job.id} ${job.project} → ${job.target.name}: ${job.state}${detail ? ` — ${detail}` : ''}`;
		}

		case 'requeued': {
			return `${event.job.id} ${event.job.project} → ${event.job.target.name}: back in the queue (worker stopping)`;
		}

		case 'recovered': {
			return `${event.job.id} ${event.job.project} → ${event.job.target.name}: recovered from a worker that died (${event.job.state})`;
		}

		case 'pruned': {
			return `removed ${event.count} finished job(s) past their retention`;
		}

		case 'error': {
			return `error: ${event.message}`;
		}
	}
}

/** Queue commands: sync, queue, queue work, queue retry, queue cancel, queue log. */
export const queueCommands: CliCommand[] = [
	{
		name: 'sync',
		summary: 'Queue sync jobs for a project (all its targets, or one); prints the job ids',
		usage: 'cws sync <name> [--target T] [--json]',
		positionals: {min: 1, max: 1},
		options: {target: {type: 'string', description: 'only this target (see `cws queue` or .cws/config.json)', valueName: 'name'}, json},
		async run({positionals, values, ctx}) {
			const ws = await ctx.openWorkspace({create: false});
			const target = values['target'] as string | undefined;
			const result = await syncProject(ws, positionals[0]!, target === undefined ? {} : {target});
			if (ctx.json) {
				print(ctx, {project: result.project, stage: result.stage, jobs: result.results.map(({job, created}) => ({id: job.id, target: job.target.name, kind: job.target.kind, state: job.state, created}))});
				return 0;
			}

			for (const {job, created} of result.results) {
				ctx.stdout(`${job.id}  ${job.project} → ${job.target.name} (${job.target.kind})  ${created ? 'queued' : `already queued (${job.state})`}`);
			}

			return 0;
		},
	},
	{
		name: 'queue',
		summary: 'Sync jobs and their states, with the queue statistics',
		usage: 'cws queue [--all] [--json]',
		options: {all: {type: 'boolean', description: 'list every retained job, not just open ones and the last 20 finished'}, json},
		async run({values, ctx}) {
			const ws = await ctx.openWorkspace({create: false});
			const config = await readSyncConfig(ws.paths, ws.store);
			const {jobs, unreadable} = await listJobs(ws);
			const stats = await readQueueStats(ws, {staleAfterHours: config.staleAfterHours});
			if (ctx.json) {
				print(ctx, {jobs, unreadable, stats});
				return 0;
			}

			const now = Date.now();
			const newest = [...jobs].reverse();
			const open = newest.filter(job => ['pending', 'running', 'failed'].includes(job.state));
			const finished = newest.filter(job => !open.includes(job));
			const shown = values['all'] === true ? newest : [...open, ...finished.slice(0, 20)];
			if (shown.length === 0) {
				ctx.stdout('The queue is empty. Queue a sync with `cws sync <name>`.');
			} else {
				jobTable(ctx, shown, now);
				if (shown.length < newest.length) {
					ctx.stdout(`(${newest.length - shown.length} older finished jobs; --all lists them)`);
				}
			}

			for (const bad of unreadable) {
				ctx.stdout(`unreadable: ${bad.file}: ${bad.error}`);
			}

			ctx.stdout(describeStats(stats));
			return 0;
		},
	},
	{
		name: 'queue work',
		summary: 'Run the sync worker headless (cron, systemd); with --once, run what is due and exit',
		usage: 'cws queue work [--once] [--concurrency N]',
		options: {
			once: {type: 'boolean', description: 'run every job that is due now, then exit (1 if a job ended dead or in conflict)'},
			concurrency: {type: 'string', description: 'jobs at the same time (default: sync.concurrency, 2)', valueName: 'n'},
		},
		async run({values, ctx}) {
			const concurrency = values['concurrency'] === undefined ? undefined : Number(values['concurrency']);
			if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64)) {
				throw new UsageError(`--concurrency must be a whole number from 1 to 64 (got ${String(values['concurrency'])}).`);
			}

			const ws = await ctx.openWorkspace({create: false});
			const controller = new AbortController();
			const stop = () => controller.abort();
			process.once('SIGINT', stop);
			process.once('SIGTERM', stop);
			process.once('SIGHUP', stop);
			try {
				const summary = await runWorker(ws, {
					once: values['once'] === true,
					signal: controller.signal,
					...(concurrency === undefined ? {} : {concurrency}),
					onEvent(event) {
						const line = eventLine(event);
						if (line) {
							(event.type === 'error' ? ctx.stderr : ctx.stdout)(line);
						}
					},
				});
				ctx.stdout(`worker stopped: ${summary.done} done, ${summary.failed} to retry, ${summary.dead} dead, ${summary.conflict} in conflict, ${summary.cancelled} cancelled, ${summary.requeued} put back`);
				// A --once run answers "did everything due go through" (cron mails on 1).
				// A long-running worker stopped by a signal has done its job: exit 0,
				// or systemd would count every stop as a failure.
				const needsAPerson = summary.dead > 0 || summary.conflict > 0;
				return values['once'] === true && needsAPerson ? 1 : 0;
			} finally {
				process.off('SIGINT', stop);
				process.off('SIGTERM', stop);
				process.off('SIGHUP', stop);
			}
		},
	},
	{
		name: 'queue retry',
		summary: 'Run a failed, dead, conflicting or cancelled job again now',
		usage: 'cws queue retry <id>',
		positionals: {min: 1, max: 1},
		options: {json},
		async run({positionals, ctx}) {
			const ws = await ctx.openWorkspace({create: false});
			const id = await resolveJobId(ws, positionals[0]!);
			const result = await retryJob(ws, id, {refreshTarget: async job => currentTarget(ws, job)});
			if (ctx.json) {
				print(ctx, result);
			} else {
				ctx.stdout(result.message);
			}

			return 0;
		},
	},
	{
		name: 'queue cancel',
		summary: 'Cancel a waiting job, or stop a running one',
		usage: 'cws queue cancel <id>',
		positionals: {min: 1, max: 1},
		options: {json},
		async run({positionals, ctx}) {
			const ws = await ctx.openWorkspace({create: false});
			const result = await cancelJob(ws, await resolveJobId(ws, positionals[0]!));
			if (ctx.json) {
				print(ctx, result);
			} else {
				ctx.stdout(result.message);
			}

			return 0;
		},
	},
	{
		name: 'queue log',
		summary: 'Every state change and command of a job, with exit codes and output',
		usage: 'cws queue log <id> [--json]',
		positionals: {min: 1, max: 1},
		options: {json},
		async run({positionals, ctx}) {
			const ws = await ctx.openWorkspace({create: false});
			const id = await resolveJobId(ws, positionals[0]!);
			const [entries, {jobs}] = await Promise.all([readJobLog(ws, id), listJobs(ws)]);
			const job = jobs.find(item => item.id === id);
			if (ctx.json) {
				print(ctx, {job, log: entries});
				return 0;
			}

			if (job) {
				ctx.stdout(`${job.id}  ${job.project} → ${job.target.name} (${job.target.kind})  ${job.state}, attempt ${job.attempt}/${job.maxAttempts}`);
				if (job.lastError) {
					ctx.stdout(`  ${job.lastError.message}${job.lastError.hint ? `\n  ${job.lastError.hint}` : ''}`);
				}

				for (const line of job.resolution ?? []) {
					ctx.stdout(`    ${line}`);
				}
			}

			for (const entry of entries) {
				for (const line of formatLogEntry(entry)) {
					ctx.stdout(line);
				}
			}

			return 0;
		},
	},
];

