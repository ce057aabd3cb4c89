import {
	planShutdown,
	runShutdown,
	unattendedAnswers,
	type ShutdownMode,
	type ShutdownParticipant,
	type ShutdownStep,
} from '../core/shutdown.js';
import type {SessionEndReason} from '../core/session.js';
import type {ShellController, ShutdownHandler} from './controller.js';
import type {ShutdownView} from './state/app-state.js';

/** How a finished shutdown ended, for the session record and the exit summary. */
export type ShutdownOutcome = {reason: SessionEndReason; summary: string[]; errors: string[]};

/** Steps every shutdown ends with, after the participants' own. */
export const CLOSING_STEPS: ShutdownStep[] = [
	{participant: 'shell', title: 'save the session record'},
	{participant: 'shell', title: 'release locks and restore the terminal'},
];

/** After a signal, participants are told to stop waiting after this long (the process must end within 5 s). */
export const SIGNAL_WAIT_MS = 2500;

/**
 * Drives a shutdown through the shutdown overlay: plan → questions (cexit
 * only) → run with progress → `onFinished`. A second cexit or `cexit!`
 * skips questions and waiting; a signal does the same and names itself as
 * the reason.
 */
export class ShutdownFlow implements ShutdownHandler {
	private started = false;
	private phase: ShutdownView['phase'] | undefined;
	private steps: ShutdownStep[] = [];
	private readonly answers = new Map<string, string>();
	private readonly abort = new AbortController();
	private mode: ShutdownMode = 'interactive';
	private reason: SessionEndReason = 'cexit';
	private force = false;

	constructor(
		private readonly controller: ShellController,
		private readonly participants: () => readonly ShutdownParticipant[],
		private readonly onFinished: (outcome: ShutdownOutcome) => void,
	) {}

	get inProgress(): boolean {
		return this.started;
	}

	/** cexit (force: cexit!, or cexit while one is running). */
	request(force: boolean): void {
		if (!this.started) {
			void this.begin('interactive', 'cexit', force);
			return;
		}

		this.hurry('skipping the wait: running jobs go back to the queue');
	}

	/** SIGTERM, SIGHUP or a lost terminal: no questions, nothing new started, a deadline. */
	signal(reason: Exclude<SessionEndReason, 'cexit' | 'crash'>): void {
		// The first ending names the session's end: a SIGHUP is followed by the terminal's loss.
		if (this.mode === 'signal') return;
		this.reason = reason;
		this.mode = 'signal';
		setTimeout(() => this.abort.abort(), SIGNAL_WAIT_MS).unref();
		if (!this.started) {
			void this.begin('signal', reason, true);
			return;
		}

		this.hurry(`${reason}: finishing without questions`);
	}

	choose(): void {
		const view = this.view();
		if (this.phase !== 'asking' || !view) return;
		const question = this.steps[view.asking]?.question;
		const choice = question?.choices[view.choice];
		if (!question || !choice) return;
		this.answers.set(question.id, choice.value);
		this.askNext(view.asking + 1);
	}

	cancel(): void {
		if (this.phase === 'asking' || this.phase === 'planning') {
			this.started = false;
			this.phase = undefined;
			this.answers.clear();
			this.controller.dispatch({type: 'close'});
			this.controller.toast('info', 'shutdown cancelled');
			return;
		}

		this.controller.toast('info', 'shutting down: :cexit! skips the wait');
	}

	private view(): ShutdownView | undefined {
		return this.controller.getState().overlays.find((overlay): overlay is ShutdownView => overlay.kind === 'shutdown');
	}

	private update(patch: Partial<ShutdownView>): void {
		if (patch.phase) this.phase = patch.phase;
		this.controller.dispatch({type: 'shutdown', patch});
	}

	private async begin(mode: ShutdownMode, reason: SessionEndReason, force: boolean): Promise<void> {
		this.started = true;
		this.mode = mode;
		this.reason = reason;
		this.force = force;
		this.phase = 'planning';
		this.controller.dispatch({
			type: 'open',
			overlay: {kind: 'shutdown', phase: 'planning', force, steps: [], asking: 0, choice: 0, answers: {}, progress: []},
		});
		const planned = await planShutdown(this.participants(), {mode, force});
		this.steps = [...planned, ...CLOSING_STEPS];
		this.update({steps: this.steps});
		if (this.force || this.mode === 'signal') {
			void this.run();
			return;
		}

		this.askNext(0);
	}

	/** Asks the next question from `from`, or runs when none is left. */
	private askNext(from: number): void {
		if (!this.started) return;
		const index = this.steps.findIndex((step, position) => position >= from && step.question !== undefined);
		if (index < 0 || this.force || this.mode === 'signal') {
			void this.run();
			return;
		}

		const question = this.steps[index]!.question!;
		const choice = Math.max(0, question.choices.findIndex(item => item.value === question.defaultValue));
		this.update({phase: 'asking', asking: index, choice, answers: Object.fromEntries(this.answers)});
	}

	/** Skips remaining questions and waiting. */
	private hurry(note: string): void {
		this.force = true;
		this.update({force: true, progress: [...(this.view()?.progress ?? []), note]});
		if (this.phase === 'asking') void this.run();
		else this.abort.abort();
	}

	private async run(): Promise<void> {
		if (this.phase === 'running' || this.phase === 'done') return;
		this.phase = 'running';
		for (const [id, value] of unattendedAnswers(this.steps)) if (!this.answers.has(id)) this.answers.set(id, value);
		this.update({phase: 'running', answers: Object.fromEntries(this.answers)});
		if (this.force && this.mode === 'interactive') this.abort.abort();
		const result = await runShutdown(this.participants(), {
			mode: this.mode,
			force: this.force,
			answers: this.answers,
			signal: this.abort.signal,
			report: text => this.update({progress: [...(this.view()?.progress ?? []), text]}),
		});
		this.update({phase: 'done'});
		this.onFinished({reason: this.reason, summary: result.summary, errors: result.errors});
	}
}
