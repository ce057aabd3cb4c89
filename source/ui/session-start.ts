import type {ShellServices} from '../commands/types.js';
import {formatError} from '../core/errors.js';
import {defaultSessionIo, SessionRecorder, type UncleanSession} from '../core/session.js';
import type {OpenedWorkspace} from '../core/workspace.js';

type Session = ShellServices['session'];

/** What starting the session record gave: the recorder (unless it failed, then a warning) and the sessions before it that ended uncleanly. */
export type StartedSession = {recorder: SessionRecorder | undefined; unclean: UncleanSession[]; warning?: string};

/**
 * Starts the session record of the full-screen workspace: its start line,
 * the earlier sessions on this host that never ended, and its heartbeat.
 * Never rejects: a log that cannot be written is a warning on the screen,
 * not a reason to refuse the workspace.
 */
export async function startSessionRecord(workspace: OpenedWorkspace): Promise<StartedSession> {
	try {
		const {recorder, unclean} = await SessionRecorder.start({
			file: workspace.paths.sessions,
			io: {...defaultSessionIo, withLock: fn => workspace.store.withLock('sessions', async () => fn())},
		});
		recorder.startHeartbeat();
		return {recorder, unclean};
	} catch (error) {
		return {recorder: undefined, unclean: [], warning: `the session log could not be written: ${formatError(error).split('\n')[0]!}`};
	}
}

/**
 * The session as commands see it. Its record starts beside the panes' first
 * reads and may still be starting when the first command runs: projects
 * touched before then are handed to the recorder when it is there. Without a
 * record (it could not be written) touches go nowhere.
 */
export class SessionHandle implements Session {
	private recorder: SessionRecorder | undefined;
	private readonly early = new Set<string>();

	get id(): string {
		return this.recorder?.id ?? 'unrecorded';
	}

	touch(project: string): void {
		if (this.recorder) this.recorder.touch(project);
		else this.early.add(project);
	}

	/** The record has started: touches go to it from now on, with those made before. */
	attach(recorder: SessionRecorder): void {
		this.recorder = recorder;
		for (const project of this.early) recorder.touch(project);
		this.early.clear();
	}
}
