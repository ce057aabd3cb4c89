import {terminalSafe} from '../../../commands/queue-text.js';
import {findUnsyncedProjects, queueShutdownParticipant, type QueueShutdownOptions, type QueueWorkspace} from '../../../core/queue/index.js';
import type {ShutdownParticipant, ShutdownStep} from '../../../core/shutdown.js';

/** How long cexit's plan may spend looking for unsynced work before it just asks. */
const LOOK_MS = 1500;
/** Projects named in the plan; the rest are counted. */
const LISTED = 6;

/**
 * The queue's cexit participant as the interface registers it: the queue's
 * own (final syncs when asked, running jobs back to the queue), but its plan
 * names the projects with unsynced work and why, and does not ask about a
 * final sync when every project is synced. When looking takes too long the
 * question is asked anyway.
 */
export function queuePaneParticipant(ws: QueueWorkspace, options: QueueShutdownOptions): ShutdownParticipant {
	const inner = queueShutdownParticipant(ws, options);
	return {
		name: inner.name,
		async plan(context) {
			const steps: ShutdownStep[] = await inner.plan(context);
			if (!steps.some(step => step.question)) return steps;
			const unsynced = await Promise.race([
				findUnsyncedProjects(ws).catch(() => undefined),
				new Promise<undefined>(resolve => {
					setTimeout(() => resolve(undefined), LOOK_MS).unref();
				}),
			]);
			if (!unsynced) return steps;
			return steps.map(step => {
				if (!step.question) return step;
				if (unsynced.length === 0) {
					const {question: _question, ...rest} = step;
					return {...rest, title: 'Every project is synced; running sync jobs (if any) go back to the queue'};
				}

				// Jobs this window runs are already named by the queue's own step.
				const running = new Set(options.worker?.running().map(item => `${item.job.project} → ${item.job.target.name}`));
				const lines = unsynced.flatMap(project => project.targets
					.filter(({target}) => !running.has(`${project.project} → ${target.name}`))
					.map(({target, reason}) => terminalSafe(`${project.project} → ${target.name}: ${reason}`)));
				const listed = lines.slice(0, LISTED);
				if (lines.length > LISTED) listed.push(`… and ${lines.length - LISTED} more`);
				return {...step, details: [...(step.details ?? []), ...listed]};
			});
		},
		run: async context => inner.run(context),
	};
}
