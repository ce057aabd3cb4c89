import type {CleanupPlan, ShutdownPolicy} from './cleanup.js';
import type {ProcessControl} from './control.js';
import {describeEntry, describeResult} from './format.js';
import {DEFAULT_GRACE_MS} from './stop.js';

// These mirror the shell's shutdown participant (source/core/shutdown.ts) structurally.
type Mode = 'interactive' | 'signal';
type Question = {id: string; prompt: string; choices: ReadonlyArray<{value: string; label: string}>; defaultValue: string; unattendedValue: string};
type Step = {participant: string; title: string; details?: string[]; question?: Question};
type RunContext = {mode: Mode; force: boolean; answers: ReadonlyMap<string, string>; signal: AbortSignal; report(text: string): void};

/** The cexit participant of the process whitelist. */
export type ProcessShutdownParticipant = {
	name: string;
	plan(context: {mode: Mode; force: boolean}): Promise<Step[]>;
	run(context: RunContext): Promise<string[]>;
};

export type ProcessShutdownOptions = {
	/** Which workspace processes a shutdown stops (default: every unprotected one). */
	policy?: ShutdownPolicy;
	/** Used without asking (SIGTERM/SIGHUP, `cexit!`): 'leave' unless the person chose otherwise. */
	unattended?: 'stop' | 'leave';
	graceMs?: number;
};

/** Id of the question "stop workspace processes?" in the shutdown dialog. */
export const STOP_PROCESSES_QUESTION = 'processes.stop';

const NAME = 'workspace processes';

/**
 * What cexit does with processes working in the workspace: it lists the
 * ones the policy would stop (protected ones are never in the list), asks,
 * and stops exactly the listed ones (TERM, grace, KILL; each re-checked by
 * start time), so nothing started after the question is touched. Under a
 * signal (an SSH drop) it leaves them running unless `unattended: 'stop'`:
 * a long job in a project should not die because a connection did.
 * Stopping waiting (second cexit, deadline) ends the grace period early.
 */
export function processShutdownParticipant(control: ProcessControl, options: ProcessShutdownOptions = {}): ProcessShutdownParticipant {
	const policy = options.policy ?? {stop: 'workspace'};
	const graceMs = options.graceMs ?? DEFAULT_GRACE_MS;
	let planned: CleanupPlan | undefined;
	return {
		name: NAME,
		async plan() {
			planned = await control.shutdownPlan(policy);
			const count = planned.stops.reduce((sum, stop) => sum + stop.covers.length, 0);
			if (count === 0) {
				return [{participant: NAME, title: 'No workspace processes to stop'}];
			}

			const details = planned.stops.flatMap(stop => stop.covers.map(entry => describeEntry(entry, 76)));
			return [{
				participant: NAME,
				title: `Stop ${count} workspace process${count === 1 ? '' : 'es'}`,
				details,
				question: {
					id: STOP_PROCESSES_QUESTION,
					prompt: `Stop ${count} process${count === 1 ? '' : 'es'} working in the workspace?`,
					choices: [
						{value: 'stop', label: `Stop them (SIGTERM, SIGKILL after ${graceMs / 1000} s)`},
						{value: 'leave', label: 'Leave them running'},
					],
					defaultValue: 'stop',
					unattendedValue: options.unattended ?? 'leave',
				},
			}];
		},
		async run(context) {
			const plan = planned ?? await control.shutdownPlan(policy);
			const answer = context.answers.get(STOP_PROCESSES_QUESTION) ?? options.unattended ?? 'leave';
			if (plan.stops.length === 0 || answer !== 'stop') {
				return plan.stops.length === 0 ? [] : ['Workspace processes left running.'];
			}

			const results = await control.runCleanup(plan, {
				requestedBy: 'cexit',
				graceMs,
				abort: context.signal,
				onProgress(result, done, total) {
					context.report(`stopping workspace processes: ${done}/${total}`);
				},
			});
			return results.map(describeResult);
		},
	};
}
