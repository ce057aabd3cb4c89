import {formatError} from '../core/errors.js';
import {defaultSessionIo, SessionRecorder, type UncleanSession} from '../core/session.js';
import type {OpenedWorkspace} from '../core/workspace.js';

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
			(error: unknown) => ({unclean: [], warning: `the session log could not be written: ${formatError(error).split('\n')[0]!}`}),
		),
	};
}
