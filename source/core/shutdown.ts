/**
 * The graceful shutdown `cexit` (and SIGTERM/SIGHUP) runs. Modules that have
 * something to finish — the sync queue, workspace processes — register a
 * participant. The shutdown first asks every participant for its plan (shown
 * to the person, with questions), then runs them in registration order,
 * reporting progress, and stops waiting when told to (a second cexit, or the
 * signal deadline). Participants must lose nothing when they stop waiting:
 * a running job goes back to the queue.
 */

/** 'interactive': started by cexit, may ask. 'signal': SIGTERM/SIGHUP/lost terminal, never asks, starts nothing new. */
export type ShutdownMode = 'interactive' | 'signal';

/** A choice the person makes before the shutdown runs. */
export type ShutdownQuestion = {
	/** Key of the answer in `answers`, e.g. 'queue.wait'. */
	id: string;
	prompt: string;
	choices: ReadonlyArray<{value: string; label: string}>;
	/** Pre-selected in the dialog. */
	defaultValue: string;
	/** Used without asking: under a signal, with `cexit!`, or after a second cexit. Must lose nothing. */
	unattendedValue: string;
};

/** One line of the plan: what a participant will do. */
export type ShutdownStep = {
	participant: string;
	title: string;
	details?: string[];
	question?: ShutdownQuestion;
};

export type ShutdownPlanContext = {mode: ShutdownMode; force: boolean};

export type ShutdownRunContext = ShutdownPlanContext & {
	/** Answers by question id (asked or unattended). */
	answers: ReadonlyMap<string, string>;
	/** Aborts when the shutdown must stop waiting (second cexit, deadline). */
	signal: AbortSignal;
	/** Shows a progress line, e.g. 'waiting for sync of web (12 s)'. */
	report(text: string): void;
};

/** A module with work to finish before the program exits. */
export type ShutdownParticipant = {
	name: string;
	/** What will happen, quickly and without side effects. */
	plan(context: ShutdownPlanContext): ShutdownStep[] | Promise<ShutdownStep[]>;
	/** Does it; returns lines for the exit summary. */
	run(context: ShutdownRunContext): Promise<string[] | void>;
};

/** The participants of one program run, in the order they shut down. */
export class ShutdownRegistry {
	private readonly list: ShutdownParticipant[] = [];

	/** Adds a participant; returns a function that removes it. */
	add(participant: ShutdownParticipant): () => void {
		this.list.push(participant);
		return () => {
			const index = this.list.indexOf(participant);
			if (index >= 0) this.list.splice(index, 1);
		};
	}

	participants(): readonly ShutdownParticipant[] {
		return [...this.list];
	}
}

/** Collects every participant's plan; a participant that fails to plan appears as a step saying so. */
export async function planShutdown(
	participants: readonly ShutdownParticipant[],
	context: ShutdownPlanContext,
	timeoutMs = 2000,
): Promise<ShutdownStep[]> {
	const plans = await Promise.all(
		participants.map(async participant => {
			try {
				return await withTimeout(Promise.resolve(participant.plan(context)), timeoutMs, `${participant.name} did not answer within ${timeoutMs} ms`);
			} catch (error) {
				return [{participant: participant.name, title: `${participant.name}: cannot plan (${message(error)}); it will be left as it is`}];
			}
		}),
	);
	return plans.flat();
}

/** Answers every question would get without asking. */
export function unattendedAnswers(steps: readonly ShutdownStep[]): Map<string, string> {
	const answers = new Map<string, string>();
	for (const step of steps) if (step.question) answers.set(step.question.id, step.question.unattendedValue);
	return answers;
}

export type ShutdownResult = {summary: string[]; errors: string[]};

/**
 * Runs every participant in order. When `signal` aborts, participants are
 * expected to stop waiting; one that does not return within `graceMs` after
 * the abort is left behind (its error names it) so the program can still exit.
 */
export async function runShutdown(
	participants: readonly ShutdownParticipant[],
	context: ShutdownRunContext,
	graceMs = 1000,
): Promise<ShutdownResult> {
	const summary: string[] = [];
	const errors: string[] = [];
	for (const participant of participants) {
		try {
			const lines = await Promise.race([
				participant.run(context),
				afterAbort(context.signal, graceMs).then(() => {
					throw new Error(`did not stop within ${graceMs} ms of being told to`);
				}),
			]);
			if (lines) summary.push(...lines);
		} catch (error) {
			errors.push(`${participant.name}: ${message(error)}`);
		}
	}

	return {summary, errors};
}

function message(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}

async function withTimeout<T>(promise: Promise<T>, ms: number, text: string): Promise<T> {
	let timer: NodeJS.Timeout | undefined;
	const timeout = new Promise<never>((_resolve, reject) => {
		timer = setTimeout(() => reject(new Error(text)), ms);
	});
	try {
		return await Promise.race([promise, timeout]);
	} finally {
		clearTimeout(timer);
	}
}

/** Resolves `graceMs` after `signal` aborts; never when it does not. */
function afterAbort(signal: AbortSignal, graceMs: number): Promise<void> {
	return new Promise(resolve => {
		const start = () => setTimeout(resolve, graceMs).unref();
		if (signal.aborted) start();
		else signal.addEventListener('abort', start, {once: true});
	});
}
