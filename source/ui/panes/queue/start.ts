import type {QueueAction} from '../../../commands/queue.js';
import {terminalSafe} from '../../../commands/queue-text.js';
import type {ShellServices, ToastLevel} from '../../../commands/types.js';
import {formatAge, QueueWorker, type Job, type WorkerEvent} from '../../../core/queue/index.js';
import {queueFeedFor} from '../../shared/queue-feed.js';
import {queuePaneParticipant} from './shutdown.js';

/** Clock of the pane while a job runs (spinner, elapsed time), and otherwise (countdowns, ages). */
const BUSY_TICK_MS = 250;
const IDLE_TICK_MS = 1000;

const name = (job: Job): string => terminalSafe(`${job.project} → ${job.target.name}`);
const firstLine = (text: string | undefined): string => terminalSafe((text ?? '').split('\n')[0]!);

/** The toast a worker event deserves, if any: results and problems, not the routine steps. */
export function eventToast(event: WorkerEvent, now: number): {level: ToastLevel; text: string} | undefined {
	switch (event.type) {
		case 'finished': {
			const {job} = event;
			switch (job.state) {
				case 'done':
					return {level: 'success', text: `synced ${name(job)}${job.result ? `: ${firstLine(job.result.message)}` : ''}`};
				case 'failed':
					return {level: 'warning', text: `${name(job)} failed (attempt ${job.attempt} of ${job.maxAttempts}), retry in ${formatAge(Math.max(0, job.dueAt - now))}: ${firstLine(job.lastError?.message)}`};
				case 'dead':
					return {level: 'error', text: `${name(job)} gave up after ${job.attempt} attempts: ${firstLine(job.lastError?.message)} (Enter on it in the queue shows the log)`};
				case 'conflict':
					return {level: 'error', text: `${name(job)}: the remote has diverged, nothing was pushed (Enter on it in the queue shows how to resolve)`};
				case 'cancelled':
					return {level: 'info', text: `cancelled ${name(job)}`};
				default:
					return undefined;
			}
		}

		case 'recovered':
			return {level: 'info', text: `${name(event.job)} went back to the queue: the worker running it had stopped`};
		case 'error':
			return {level: 'error', text: `sync queue: ${firstLine(event.message)}`};
		default:
			return undefined;
	}
}

/**
 * Starts the queue pane: follows the shared queue feed, runs this
 * interface's queue worker (every command it runs lands in the command
 * log), registers the queue's cexit participant, and keeps the pane's clock.
 */
export function startQueuePane(services: ShellServices, dispatch: (action: QueueAction) => void, toast: (level: ToastLevel, text: string) => void): () => void {
	const ws = {paths: services.paths, store: services.store};
	const feed = queueFeedFor(services);
	let stopped = false;
	let timer: NodeJS.Timeout | undefined;
	const publish = () => {
		if (stopped || feed.getSnapshot().loadedAt === 0) return;
		dispatch({type: 'snapshot', snapshot: feed.getSnapshot()});
		// New jobs are drawn at the time of their arrival, and may need the clock sooner.
		tick();
	};

	const unsubscribe = feed.subscribe(publish);

	const worker = new QueueWorker(ws, {
		commandLog: services.commandLog,
		env: services.env,
		onEvent(event) {
			if (stopped) return;
			const message = eventToast(event, Date.now());
			if (message) toast(message.level, message.text);
			// Show the change now rather than at the feed's next poll.
			if (event.type !== 'pruned') void feed.refresh();
		},
	});
	const removeParticipant = services.shutdown.add(queuePaneParticipant(ws, {worker}));
	worker.start().catch((error: unknown) => {
		if (!stopped) toast('error', `the sync worker stopped: ${firstLine(error instanceof Error ? error.message : String(error))}; jobs wait for \`cws queue work\` or the next start`);
	});

	// A function declaration: publish (above) refers to it.
	function tick(): void {
		clearTimeout(timer);
		timer = undefined;
		if (stopped) return;
		const running = worker.running();
		const commands = Object.fromEntries(running.flatMap(item => (item.command ? [[item.job.id, item.command.join(' ')]] : [])));
		const now = Date.now();
		dispatch({type: 'tick', now, commands});
		const {jobs, stats} = feed.getSnapshot();
		// With no job listed nothing on the pane moves with the clock; otherwise the
		// reducer lets a tick through only when a row on screen reads differently.
		if (jobs.length === 0 && running.length === 0) return;
		timer = setTimeout(tick, running.length > 0 || stats.running > 0 ? BUSY_TICK_MS : IDLE_TICK_MS);
		timer.unref();
	}

	if (feed.getSnapshot().loadedAt > 0) publish();
	else tick();
	return () => {
		stopped = true;
		clearTimeout(timer);
		unsubscribe();
		removeParticipant();
		// Normally cexit's participant has stopped it already; stopping twice is harmless.
		void worker.stop('requeue');
	};
}
