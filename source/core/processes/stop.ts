import {errnoCode} from '../errors.js';
import type {Attribution} from './attribution.js';
import type {AuditSink, SignalAuditRecord} from './audit.js';
import type {RawProcess} from './linux-reader.js';
import {protectionOf, type Guard} from './protection.js';
import type {ProcessSource} from './reader.js';
import type {ProcessTarget, Requester} from './types.js';

/** Signals a stop may start with; SIGKILL follows after the grace period. */
export const STOP_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGKILL'] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];

/** Default time between the first signal and SIGKILL. */
export const DEFAULT_GRACE_MS = 5000;
/** How long to wait for a process to vanish after SIGKILL before calling it a failure. */
export const KILL_CONFIRM_MS = 2000;
const POLL_MS = 50;

export type StopOptions = {
	/** First signal (default SIGTERM). */
	signal?: StopSignal;
	/** Wait this long for an exit before SIGKILL (default 5000). */
	graceMs?: number;
	requestedBy: Requester;
	/**
	 * Ends the grace period early (a second cexit, a shutdown deadline):
	 * SIGKILL follows at once, still after the identity check.
	 */
	abort?: AbortSignal;
};

/**
 * stopped: exited after the first signal; killed: needed SIGKILL;
 * already-gone: no such process when we looked; refused: nothing sent
 * (protected, pid reused, not eligible); failed: kill(2) failed (EPERM) or
 * the process outlived SIGKILL.
 */
export type StopOutcome = 'stopped' | 'killed' | 'already-gone' | 'refused' | 'failed';

/** Why a stop was refused or failed. */
export type StopCode = 'protected' | 'pid-reused' | 'not-group-leader' | 'group-not-eligible' | 'EPERM' | 'did-not-exit';

/** One kill(2) call. */
export type SignalSent = {signal: NodeJS.Signals; atMs: number; result: string};

/** What happened to one stop request. */
export type StopResult = {
	pid: number;
	startTime: number;
	command: string;
	scope: 'process' | 'group';
	/** Group members checked before signalling (group stops only). */
	members?: Array<{pid: number; startTime: number; command: string}>;
	outcome: StopOutcome;
	code?: StopCode;
	/** Human reasons for a refusal or failure (e.g. the protecting rule). */
	reasons: string[];
	signals: SignalSent[];
	/** One line for the person. */
	message: string;
	elapsedMs: number;
};

/** What stopping needs from around it; ProcessControl supplies the real ones. */
export type StopContext = {
	source: ProcessSource;
	/** Fresh rules and ancestors; called once per request. */
	guard(): Promise<Guard>;
	attribute(process: {cwd: string | null}): Attribution;
	audit: AuditSink;
	kill(pid: number, signal: NodeJS.Signals): void;
	sleep(ms: number): Promise<void>;
	now(): number;
};

type Liveness = {state: 'alive'; process: RawProcess} | {state: 'gone'};

/** Whether the incarnation `target` names is still running (a zombie has exited). */
async function liveness(ctx: StopContext, target: ProcessTarget): Promise<Liveness> {
	const process = await ctx.source.probe(target.pid);
	if (process === undefined || process.startTime !== target.startTime || process.state === 'Z' || process.state === 'X') {
		return {state: 'gone'};
	}

	return {state: 'alive', process};
}

/**
 * Stops one process: refuse if protected or if the pid now belongs to
 * another process; otherwise the first signal, up to `graceMs` for it to
 * exit, then SIGKILL and up to KILL_CONFIRM_MS to see it gone. The start
 * time is read again right before EVERY signal, so a pid reused in between
 * is never signalled. Each signal, and each refusal, goes to the audit log.
 */
export async function stopProcess(ctx: StopContext, target: ProcessTarget, options: StopOptions): Promise<StopResult> {
	const started = ctx.now();
	const signal = options.signal ?? 'SIGTERM';
	const result = (outcome: StopOutcome, message: string, extra: Partial<StopResult> = {}): StopResult => ({
		pid: target.pid,
		startTime: target.startTime,
		command: target.command ?? '',
		scope: 'process',
		outcome,
		reasons: [],
		signals: [],
		message,
		elapsedMs: ctx.now() - started,
		...extra,
	});
	const current = await ctx.source.probe(target.pid);
	// A zombie has exited; only its exit status waits to be collected.
	if (current === undefined || (current.startTime === target.startTime && (current.state === 'Z' || current.state === 'X'))) {
		return result('already-gone', `Process ${target.pid} is already gone.`);
	}

	const command = target.command ?? current.command;
	const audit = async (entry: Pick<SignalAuditRecord, 'signal' | 'result' | 'reason'>): Promise<void> => ctx.audit({
		type: 'signal', time: new Date(ctx.now()).toISOString(), pid: target.pid, startTime: target.startTime,
		command, scope: 'process', requestedBy: options.requestedBy, ...entry,
	});
	if (current.startTime !== target.startTime) {
		const reason = `pid ${target.pid} now belongs to another process (start time ${current.startTime}, expected ${target.startTime}: ${current.command})`;
		await audit({signal, result: 'refused', reason});
		return result('refused', `Not signalled: ${reason}.`, {code: 'pid-reused', reasons: [reason], command});
	}

	const reasons = await refusalReasons(ctx, current);
	if (reasons.length > 0) {
		await audit({signal, result: 'refused', reason: reasons.join('; ')});
		return result('refused', `Process ${target.pid} (${current.name}) is protected: ${reasons[0]}.`, {code: 'protected', reasons, command});
	}

	const signals: SignalSent[] = [];
	const send = async (sig: NodeJS.Signals): Promise<'sent' | 'gone' | 'EPERM'> => {
		// The identity check sits right before kill(2): nothing awaits in between.
		const live = await liveness(ctx, target);
		if (live.state === 'gone') {
			return 'gone';
		}

		const outcome = trySignal(ctx, target.pid, sig);
		signals.push({signal: sig, atMs: ctx.now() - started, result: outcome});
		await audit({signal: sig, result: outcome});
		return outcome === 'delivered' ? 'sent' : outcome === 'ESRCH' ? 'gone' : 'EPERM';
	};
	const finish = async (first: boolean): Promise<StopResult | undefined> => {
		const sent = await send(first ? signal : 'SIGKILL');
		if (sent === 'EPERM') {
			return result('failed', `Not allowed to signal process ${target.pid} (EPERM).`, {code: 'EPERM', reasons: ['kill(2) returned EPERM'], signals, command});
		}

		if (sent === 'gone') {
			return result(first ? 'already-gone' : 'stopped', `Process ${target.pid} exited before ${first ? signal : 'SIGKILL'} was sent.`, {signals, command});
		}

		const waitMs = first && signal !== 'SIGKILL' ? (options.graceMs ?? DEFAULT_GRACE_MS) : KILL_CONFIRM_MS;
		if (await waitGone(ctx, () => liveness(ctx, target), waitMs, first ? options.abort : undefined)) {
			const lastSignal = signals.at(-1)?.signal ?? signal;
			return result(lastSignal === 'SIGKILL' && signal !== 'SIGKILL' ? 'killed' : 'stopped', `Process ${target.pid} ended after ${lastSignal}.`, {signals, command});
		}

		if (!first || signal === 'SIGKILL') {
			return result('failed', `Process ${target.pid} is still running ${KILL_CONFIRM_MS / 1000} s after SIGKILL (uninterruptible I/O?).`, {code: 'did-not-exit', reasons: ['still alive after SIGKILL'], signals, command});
		}

		return undefined;
	};
	return (await finish(true)) ?? (await finish(false))!;
}

/** Reasons (texts) not to signal `process` now: protection, checked with fresh rules and real uid. */
export async function refusalReasons(ctx: StopContext, process: RawProcess): Promise<string[]> {
	const guard = await ctx.guard();
	const reasons = protectionOf({...process, cpuPercent: 0}, guard).reasons.map(reason => reason.text);
	// The listing's uid is the effective one; a setuid program run by us, or
	// ours run setuid by someone else, is not ours to stop either.
	const uids = await ctx.source.uids(process.pid);
	if (uids && (uids.real !== guard.uid || uids.effective !== guard.uid) && !reasons.some(text => text.includes('another user'))) {
		reasons.unshift(`built-in: process of another user (real uid ${uids.real}, effective uid ${uids.effective})`);
	}

	return reasons;
}

/** kill(2) with the errno as the result: 'delivered', 'ESRCH', 'EPERM' … */
export function trySignal(ctx: Pick<StopContext, 'kill'>, pid: number, signal: NodeJS.Signals): string {
	try {
		ctx.kill(pid, signal);
		return 'delivered';
	} catch (error) {
		const code = errnoCode(error);
		if (code === undefined) {
			throw error;
		}

		return code;
	}
}

/** Polls until `check` says gone, `ms` pass or `abort` fires; true when gone. */
export async function waitGone(ctx: Pick<StopContext, 'sleep' | 'now'>, check: () => Promise<{state: 'alive' | 'gone'}>, ms: number, abort?: AbortSignal): Promise<boolean> {
	const deadline = ctx.now() + ms;
	for (;;) {
		if ((await check()).state === 'gone') {
			return true;
		}

		const left = deadline - ctx.now();
		if (left <= 0 || abort?.aborted) {
			return false;
		}

		await ctx.sleep(Math.min(POLL_MS, left));
	}
}
