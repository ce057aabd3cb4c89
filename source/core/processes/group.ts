import type {SignalAuditRecord} from './audit.js';
import type {RawProcess} from './linux-reader.js';
import {
	DEFAULT_GRACE_MS, KILL_CONFIRM_MS, refusalReasons, trySignal, waitGone,
	type SignalSent, type StopContext, type StopOptions, type StopOutcome, type StopResult,
} from './stop.js';
import type {ProcessTarget} from './types.js';

type Member = {pid: number; startTime: number; command: string};

/** Live members of process group `pgid` (zombies have exited and do not count). */
async function groupMembers(ctx: StopContext, pgid: number): Promise<RawProcess[]> {
	return (await ctx.source.list()).filter(process => process.pgid === pgid && process.state !== 'Z' && process.state !== 'X');
}

/** Why `process` may not be signalled as part of a group; empty when it may. */
async function memberProblems(ctx: StopContext, process: RawProcess): Promise<string[]> {
	const problems = await refusalReasons(ctx, process);
	if (!ctx.attribute(process).inWorkspace) {
		problems.push(`pid ${process.pid} (${process.name}) works outside the workspace (${process.cwd ?? 'cwd unreadable'})`);
	}

	return problems.map(text => (text.startsWith('pid ') ? text : `pid ${process.pid} (${process.name}): ${text}`));
}

/**
 * Stops a whole process group with kill(-pgid): a dev server and the
 * children it started. Only a group leader (pid = pgid) whose members are
 * all workspace processes, ours and unprotected, qualifies. Right before
 * each group signal the members are listed again and every one is checked:
 * one seen before must have the same start time, one that appeared since
 * must pass the same checks. A pgid cannot be reused while any member is
 * alive, so the number still names the same group.
 */
export async function stopGroup(ctx: StopContext, leader: ProcessTarget, options: StopOptions): Promise<StopResult> {
	const started = ctx.now();
	const signal = options.signal ?? 'SIGTERM';
	const signals: SignalSent[] = [];
	const members: Member[] = [];
	const known = new Map<number, number>();
	const result = (outcome: StopOutcome, message: string, extra: Partial<StopResult> = {}): StopResult => ({
		pid: leader.pid, startTime: leader.startTime, command: leader.command ?? '', scope: 'group', members,
		outcome, reasons: [], signals, message, elapsedMs: ctx.now() - started, ...extra,
	});
	const audit = async (entry: Pick<SignalAuditRecord, 'signal' | 'result' | 'reason'>): Promise<void> => ctx.audit({
		type: 'signal', time: new Date(ctx.now()).toISOString(), pid: leader.pid, startTime: leader.startTime,
		command: leader.command ?? '', scope: 'group', members: members.map(({pid, startTime}) => ({pid, startTime})),
		requestedBy: options.requestedBy, ...entry,
	});

	const head = await ctx.source.probe(leader.pid);
	if (head === undefined || (head.startTime === leader.startTime && (head.state === 'Z' || head.state === 'X') && (await groupMembers(ctx, leader.pid)).length === 0)) {
		return result('already-gone', `Process ${leader.pid} is already gone.`);
	}

	leader = {...leader, command: leader.command ?? head.command};
	if (head.startTime !== leader.startTime) {
		const reason = `pid ${leader.pid} now belongs to another process (${head.command})`;
		await audit({signal, result: 'refused', reason});
		return result('refused', `Not signalled: ${reason}.`, {code: 'pid-reused', reasons: [reason]});
	}

	if (head.pgid !== head.pid) {
		return result('refused', `Process ${leader.pid} does not lead its own process group (group ${head.pgid}); stop it alone.`, {code: 'not-group-leader', reasons: ['not a group leader']});
	}

	/** Checks the group as it is now; returns problems, or the live members. */
	const check = async (): Promise<{problems: string[]; live: RawProcess[]}> => {
		const live = await groupMembers(ctx, leader.pid);
		const problems: string[] = [];
		for (const member of live) {
			const seen = known.get(member.pid);
			if (seen !== undefined && seen !== member.startTime) {
				problems.push(`pid ${member.pid} was reused by another process`);
			} else if (seen === undefined) {
				problems.push(...await memberProblems(ctx, member));
				known.set(member.pid, member.startTime);
				members.push({pid: member.pid, startTime: member.startTime, command: member.command});
			}
		}

		return {problems, live};
	};

	const first = await check();
	if (first.problems.length > 0) {
		await audit({signal, result: 'refused', reason: first.problems.join('; ')});
		return result('refused', `Group ${leader.pid} cannot be stopped as a group: ${first.problems[0]}.`, {code: 'group-not-eligible', reasons: first.problems});
	}

	let changed: string[] = [];
	const send = async (sig: NodeJS.Signals): Promise<'sent' | 'gone' | 'refused' | 'EPERM'> => {
		const {problems, live} = await check();
		if (live.length === 0) {
			return 'gone';
		}

		if (problems.length > 0) {
			changed = problems;
			await audit({signal: sig, result: 'refused', reason: problems.join('; ')});
			return 'refused';
		}

		const outcome = trySignal(ctx, -leader.pid, sig);
		signals.push({signal: sig, atMs: ctx.now() - started, result: outcome});
		await audit({signal: sig, result: outcome});
		return outcome === 'delivered' ? 'sent' : outcome === 'ESRCH' ? 'gone' : 'EPERM';
	};
	const allGone = async (): Promise<{state: 'alive' | 'gone'}> =>
		({state: (await groupMembers(ctx, leader.pid)).length > 0 ? 'alive' : 'gone'});

	for (const phase of ['first', 'kill'] as const) {
		const sig = phase === 'first' ? signal : 'SIGKILL';
		const sent = await send(sig);
		if (sent === 'gone') {
			return result(phase === 'first' ? 'already-gone' : 'stopped', `Group ${leader.pid} ended before ${sig} was sent.`);
		}

		if (sent === 'refused') {
			return result('refused', `Group ${leader.pid}: ${sig} not sent, the group changed.`, {code: 'group-not-eligible', reasons: changed});
		}

		if (sent === 'EPERM') {
			return result('failed', `Not allowed to signal group ${leader.pid} (EPERM).`, {code: 'EPERM', reasons: ['kill(2) returned EPERM']});
		}

		const waitMs = phase === 'first' && sig !== 'SIGKILL' ? (options.graceMs ?? DEFAULT_GRACE_MS) : KILL_CONFIRM_MS;
		if (await waitGone(ctx, allGone, waitMs, phase === 'first' ? options.abort : undefined)) {
			return result(phase === 'kill' ? 'killed' : 'stopped', `Group ${leader.pid} (${members.length} processes) ended after ${sig}.`);
		}

		if (sig === 'SIGKILL') {
			break;
		}
	}

	return result('failed', `Group ${leader.pid} still has processes ${KILL_CONFIRM_MS / 1000} s after SIGKILL.`, {code: 'did-not-exit', reasons: ['still alive after SIGKILL']});
}
