import {formatError} from '../core/errors.js';
import {defaultSessionIo, SessionRecorder, type UncleanSession} from '../core/session.js';
import type {SweepReport} from '../core/sweep.js';
import type {OpenedWorkspace} from '../core/workspace.js';
import {recoveryActions, uncleanNotice} from './startup-notice.js';

/** The first line of an error as the notice shows it. */
const errorLine = (error: unknown): string => formatError(error).split('\n')[0]!;

/** The session record of a start, while its start line is being written. */
export type SessionStart = {
	/** The recorder at once: whatever ends the session (a crash too) records it, also before the start is recorded. */
	recorder: SessionRecorder;
	/** The start is recorded: the earlier sessions that ended uncleanly, or a warning when the log could not be written. Never rejects. */
	started: Promise<{unclean: UncleanSession[]; warning?: string}>;
};

/**
 * Starts the session record of the full-screen workspace: its start line,
 * the earlier sessions on this host that never ended, and its heartbeat.
 * A log that cannot be written is a warning on the screen, not a reason to
 * refuse the workspace.
 */
export function startSessionRecord(workspace: OpenedWorkspace): SessionStart {
	const {recorder, started} = SessionRecorder.begin({
		file: workspace.paths.sessions,
		io: {...defaultSessionIo, withLock: fn => workspace.store.withLock('sessions', async () => fn())},
	});
	return {
		recorder,
		started: started.then(
			unclean => {
				recorder.startHeartbeat();
				return {unclean};
			},
			(error: unknown) => ({unclean: [], warning: `the session log could not be written: ${errorLine(error)}`}),
		),
	};
}

/**
 * What the start-up notice gains once the record has started: the earlier
 * sessions that ended uncleanly (and what the start-up sweep recovered),
 * noted in the log as reported; or the warning that the log could not be
 * written (`recorded` false: there is no record to end). A session already
 * ending (`ending()`) shows nothing, so its unclean sessions are left to be
 * reported by the next start.
 */
export async function sessionNotice(session: SessionStart, sweep: SweepReport, ending: () => boolean): Promise<{lines: string[]; recorded: boolean}> {
	const {unclean, warning} = await session.started;
	if (warning) return {lines: [warning], recorded: false};
	if (ending() || unclean.length === 0) return {lines: [], recorded: true};
	const actions = recoveryActions(sweep);
	const lines = uncleanNotice(unclean, actions);
	await session.recorder.acknowledge(unclean, actions).catch((error: unknown) => lines.push(errorLine(error)));
	return {lines, recorded: true};
}
