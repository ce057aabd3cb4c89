import {randomBytes} from 'node:crypto';
import {appendFileSync} from 'node:fs';
import os from 'node:os';
import {atomicWriteFile} from './atomic-write.js';
import {appendJsonl, readJsonl} from './jsonl.js';
import {isProcessAlive, processStartTime} from './process-info.js';

/**
 * Session memory: one line per event in `.cws/sessions.jsonl` — a session's
 * start, a heartbeat every few minutes, its end and how it ended — so the
 * next start can tell whether the previous one ended cleanly and, if not,
 * roughly when it died. Many sessions may run on one workspace at once.
 * Appends and the pruning rewrite both take the 'sessions' lock, so a
 * rewrite never drops a line another process appended meanwhile; an append
 * that cannot get the lock quickly (a shutdown must finish within seconds)
 * is written anyway: a record is worth more than a perfectly pruned log.
 */

/** How a session ended. 'crash' also covers an unexpected fatal signal (see `detail`). */
export const SESSION_END_REASONS = ['cexit', 'SIGTERM', 'SIGHUP', 'tty-lost', 'crash'] as const;
export type SessionEndReason = (typeof SESSION_END_REASONS)[number];

export type SessionStartRecord = {
	type: 'start';
	session: string;
	at: string;
	host: string;
	pid: number;
	/** /proc start time of the pid, to tell it from a later process that reused the pid. */
	pidStart?: string;
	user: string;
};
export type SessionAliveRecord = {type: 'alive'; session: string; at: string};
export type SessionEndRecord = {
	type: 'end';
	session: string;
	at: string;
	reason: SessionEndReason;
	detail?: string;
	/** Projects this session acted on. */
	projects: string[];
};
/** Written by a later session that found this one ended uncleanly and reported it. */
export type SessionRecoveredRecord = {type: 'recovered'; session: string; at: string; by: string; actions: string[]};
export type SessionRecord = SessionStartRecord | SessionAliveRecord | SessionEndRecord | SessionRecoveredRecord;

/** A previous session that neither ended nor is still running. */
export type UncleanSession = {
	session: string;
	startedAt: string;
	/** Last sign of life (its last heartbeat, else its start). */
	lastSeen: string;
	pid: number;
	host: string;
};

/** File operations the recorder needs; tests inject faults here. */
export type SessionIo = {
	append(file: string, record: SessionRecord): Promise<void>;
	read(file: string): Promise<SessionRecord[]>;
	rewrite(file: string, text: string): Promise<void>;
	/** Runs `fn` holding the workspace's 'sessions' lock. */
	withLock<R>(fn: () => Promise<R>): Promise<R>;
};

export const defaultSessionIo: SessionIo = {
	append: appendJsonl,
	read: file => readJsonl<SessionRecord>(file),
	rewrite: (file, text) => atomicWriteFile(file, text, {mode: 0o600}),
	withLock: fn => fn(),
};

/** Sessions kept in the log by default (older ones are pruned at start). */
export const DEFAULT_SESSION_RETENTION = 200;
/** How often a running session records that it is alive. */
export const HEARTBEAT_MS = 5 * 60_000;

export type SessionOptions = {
	/** <root>/.cws/sessions.jsonl */
	file: string;
	io?: SessionIo;
	now?: () => Date;
	host?: string;
	pid?: number;
	retention?: number;
	/** Decides whether a recorded process still runs (default: kill(pid, 0) plus /proc start time). */
	isAlive?: (pid: number, pidStart?: string) => boolean;
};

/**
 * Sessions that started on this host, never ended, were not already
 * reported by another session, and whose process is gone.
 */
export function findUncleanSessions(
	records: readonly SessionRecord[],
	options: {host: string; isAlive: (pid: number, pidStart?: string) => boolean; exclude?: string},
): UncleanSession[] {
	const starts = new Map<string, SessionStartRecord>();
	const lastSeen = new Map<string, string>();
	const closed = new Set<string>();
	for (const record of records) {
		if (record.type === 'start') {
			starts.set(record.session, record);
			lastSeen.set(record.session, record.at);
		} else if (record.type === 'alive') lastSeen.set(record.session, record.at);
		else closed.add(record.session);
	}

	const unclean: UncleanSession[] = [];
	for (const [session, start] of starts) {
		if (closed.has(session) || session === options.exclude || start.host !== options.host) continue;
		if (options.isAlive(start.pid, start.pidStart)) continue;
		unclean.push({session, startedAt: start.at, lastSeen: lastSeen.get(session)!, pid: start.pid, host: start.host});
	}

	return unclean;
}

/** Keeps the records of the newest `keep` sessions (by start order); others are dropped. */
export function pruneRecords(records: readonly SessionRecord[], keep: number): SessionRecord[] {
	const order = records.filter(record => record.type === 'start').map(record => record.session);
	const kept = new Set(order.slice(-keep));
	return records.filter(record => kept.has(record.session));
}

/** One running session: records its start, heartbeats, touched projects and end. */
export class SessionRecorder {
	readonly id: string;
	private readonly projects = new Set<string>();
	private heartbeat: NodeJS.Timeout | undefined;
	private ended: Promise<void> | undefined;
	private endWritten = false;

	private constructor(
		private readonly options: Required<Pick<SessionOptions, 'file' | 'io' | 'now'>>,
		id: string,
	) {
		this.id = id;
	}

	/**
	 * Records the start of a session, prunes the log beyond retention, and
	 * returns the previous sessions on this host that ended uncleanly.
	 */
	static async start(options: SessionOptions): Promise<{recorder: SessionRecorder; unclean: UncleanSession[]}> {
		const {recorder, started} = SessionRecorder.begin(options);
		return {recorder, unclean: await started};
	}

	/**
	 * `start` in two steps: the recorder at once, and `started` when its start
	 * is recorded (with the unclean sessions before it). The recorder can end
	 * the session meanwhile, synchronously if it must (a crash): an end record
	 * written before the start record still closes the session.
	 */
	static begin(options: SessionOptions): {recorder: SessionRecorder; started: Promise<UncleanSession[]>} {
		const io = options.io ?? defaultSessionIo;
		const now = options.now ?? (() => new Date());
		const pid = options.pid ?? process.pid;
		const id = `${now().toISOString().replaceAll(/[-:.]/g, '').slice(0, 15)}-${pid}-${randomBytes(3).toString('hex')}`;
		const recorder = new SessionRecorder({file: options.file, io, now}, id);
		return {recorder, started: recorder.recordStart(options, pid)};
	}

	/** Appends the start record under the lock, prunes the log, and finds the unclean sessions before this one. */
	private async recordStart(options: SessionOptions, pid: number): Promise<UncleanSession[]> {
		const {io, now} = this.options;
		const host = options.host ?? os.hostname();
		const isAlive = options.isAlive ?? isProcessAlive;
		const pidStart = options.pid === undefined ? processStartTime(pid) : undefined;
		const start: SessionStartRecord = {
			type: 'start',
			session: this.id,
			at: now().toISOString(),
			host,
			pid,
			...(pidStart === undefined ? {} : {pidStart}),
			user: os.userInfo().username,
		};
		const retention = options.retention ?? DEFAULT_SESSION_RETENTION;
		let started = false;
		const work = async (prune: boolean) => {
			const records = await io.read(options.file);
			started = true;
			await io.append(options.file, start);
			// Rewriting costs a full copy: only once the log is a tenth over retention.
			const sessions = records.filter(record => record.type === 'start').length + 1;
			if (prune && sessions > retention + Math.ceil(retention / 10)) {
				const kept = pruneRecords([...records, start], retention);
				await io.rewrite(options.file, kept.map(record => JSON.stringify(record)).join('\n') + '\n');
			}

			return findUncleanSessions(records, {host, isAlive, exclude: this.id});
		};

		return io.withLock(async () => work(true)).catch(async (error: unknown) => {
			// Locking failed before anything was written: record the start anyway, prune another time.
			if (started) throw error;
			return work(false);
		});
	}

	/** Starts the periodic "still alive" record; the timer does not keep the process running. */
	startHeartbeat(intervalMs = HEARTBEAT_MS): void {
		if (this.heartbeat || this.ended || this.endWritten) return;
		this.heartbeat = setInterval(() => {
			void this.appendRecord({type: 'alive', session: this.id, at: this.options.now().toISOString()})
				.catch(() => {
					// A failed heartbeat only makes a later "last seen" less precise; the end record is what counts.
				});
		}, intervalMs);
		this.heartbeat.unref();
	}

	/** Notes that this session acted on `project` (listed in the end record). */
	touch(project: string): void {
		this.projects.add(project);
	}

	/** Projects touched so far. */
	touched(): string[] {
		return [...this.projects].sort();
	}

	/** Tells later sessions that `unclean` was reported, and what recovery did. */
	async acknowledge(unclean: readonly UncleanSession[], actions: string[]): Promise<void> {
		for (const session of unclean) {
			await this.appendRecord({
				type: 'recovered',
				session: session.session,
				at: this.options.now().toISOString(),
				by: this.id,
				actions,
			});
		}
	}

	/**
	 * Records how the session ended. Only the first call writes; later calls
	 * wait for it. `waitMs` bounds the wait for the sessions lock.
	 */
	end(reason: SessionEndReason, detail?: string, waitMs?: number): Promise<void> {
		if (this.heartbeat) clearInterval(this.heartbeat);
		this.ended ??= this.appendRecord(this.endRecord(reason, detail), waitMs).then(() => {
			this.endWritten = true;
		});
		return this.ended;
	}

	/**
	 * Last resort when the process must end now (a crash, a process 'exit'
	 * without a shutdown): writes the end record synchronously, without the
	 * lock, unless an end record was already written.
	 */
	endSync(reason: SessionEndReason, detail?: string): void {
		if (this.endWritten) return;
		this.endWritten = true;
		if (this.heartbeat) clearInterval(this.heartbeat);
		appendFileSync(this.options.file, `${JSON.stringify(this.endRecord(reason, detail))}\n`, {mode: 0o600});
	}

	private endRecord(reason: SessionEndReason, detail: string | undefined): SessionEndRecord {
		return {
			type: 'end',
			session: this.id,
			at: this.options.now().toISOString(),
			reason,
			...(detail === undefined ? {} : {detail}),
			projects: this.touched(),
		};
	}

	/** Appends under the sessions lock, or without it after `waitMs` or when locking fails. */
	private async appendRecord(record: SessionRecord, waitMs = 1500): Promise<void> {
		const {io, file} = this.options;
		// Whichever path comes first writes; the other finds the same promise.
		let appended: Promise<void> | undefined;
		const write = () => (appended ??= io.append(file, record));
		let timer: NodeJS.Timeout | undefined;
		const fallback = new Promise<void>((resolve, reject) => {
			timer = setTimeout(() => write().then(resolve, reject), waitMs);
		});
		const viaLock = io.withLock(write).then(undefined, async (error: unknown) => {
			// The append itself failed: report it. Locking failed: write without the lock.
			if (appended) throw error;
			return write();
		});
		try {
			await Promise.race([viaLock, fallback]);
		} finally {
			clearTimeout(timer);
		}
	}
}
