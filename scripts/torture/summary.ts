/** The summary of a run: one JSON object, and its text form for people. */
import type {CheckResult} from './checks.js';
import type {KillReport} from './killer.js';
import type {Ledger, MoveRecoveries, OpKind, Outcome} from './ledger.js';
import type {Recoveries} from './recoveries.js';
import type {TuiReport} from './tui.js';
import type {WorkerReport} from './queue-worker.js';

export type Summary = {
	ok: boolean;
	seed: number;
	minutes: number;
	durationMs: number;
	chaosMs: number;
	drain: {ms: number; complete: boolean; left: number};
	operations: {total: number; byKind: Record<OpKind, number>; byOutcome: Record<Outcome, number>};
	acknowledged: number;
	refusedAsExpected: number;
	/** Error exits that are not refusals, grouped by message. */
	failures: Record<string, number>;
	kills: KillReport;
	tui: {starts: number; keys: number; cexitExitCode: number | undefined; cexitMs: number | undefined};
	worker: {starts: number};
	recoveries: Recoveries & {moves: MoveRecoveries};
	jobs: CheckResult['jobs'];
	moves: CheckResult['moves'];
	remotes: CheckResult['remotes'];
	verify: CheckResult['verify'];
	lost: number;
	lostItems: string[];
	problems: string[];
	workspace?: string;
};

export function buildSummary(input: {
	seed: number; minutes: number; startedAt: number; chaosMs: number; drain: Summary['drain'];
	ledger: Ledger; kills: KillReport; tui: TuiReport; worker: WorkerReport; recoveries: Recoveries; checks: CheckResult; extraProblems: string[];
}): Summary {
	const {ledger, checks, tui} = input;
	const byOutcome = ledger.byOutcome();
	const failures: Record<string, number> = {};
	for (const op of ledger.ops.filter(op => op.outcome === 'failed')) {
		const key = `${op.kind}: ${(op.detail ?? '').replace(/"[^"]*"|\b[0-9a-z]{9}-[0-9a-f]{8}\b|\d+/g, '…').slice(0, 160)}`;
		failures[key] = (failures[key] ?? 0) + 1;
	}

	const problems = [
		...checks.problems,
		...input.extraProblems,
		...ledger.ops.filter(op => op.outcome === 'crashed' || op.outcome === 'hung').map(op => `#${op.seq} ${op.args.join(' ')} ${op.outcome}: ${op.detail}`),
		...tui.unexpectedExits,
		...input.worker.unexpectedExits,
		...(tui.cexit?.exitCode === 0 ? [] : [`the TUI did not leave with exit code 0 after :cexit (${tui.cexit?.exitCode}); screen:\n${tui.cexit?.screen ?? ''}`]),
	];
	return {
		ok: checks.lost.length === 0 && problems.length === 0,
		seed: input.seed,
		minutes: input.minutes,
		durationMs: Date.now() - input.startedAt,
		chaosMs: input.chaosMs,
		drain: input.drain,
		operations: {total: ledger.ops.length, byKind: ledger.byKind(), byOutcome},
		acknowledged: byOutcome.acknowledged,
		refusedAsExpected: byOutcome.refused,
		failures,
		kills: input.kills,
		tui: {starts: tui.starts, keys: tui.keys, cexitExitCode: tui.cexit?.exitCode, cexitMs: tui.cexit?.ms},
		worker: {starts: input.worker.starts},
		recoveries: {...input.recoveries, moves: ledger.moveRecoveries},
		jobs: checks.jobs,
		moves: checks.moves,
		remotes: checks.remotes,
		verify: checks.verify,
		lost: checks.lost.length,
		lostItems: checks.lost,
		problems,
	};
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const counts = (record: Record<string, number>) => Object.entries(record).filter(([, count]) => count > 0).map(([key, count]) => `${key} ${count}`).join(', ') || 'none';

/** The summary as lines of text. */
export function formatSummary(summary: Summary): string {
	const r = summary.recoveries;
	const lines = [
		`cws torture run, seed ${summary.seed}: ${summary.ok ? 'OK' : 'FAILED'}`,
		`duration        ${seconds(summary.durationMs)} (chaos ${seconds(summary.chaosMs)}, drain ${seconds(summary.drain.ms)}${summary.drain.complete ? '' : `, ${summary.drain.left} jobs still waiting`})`,
		`operations      ${summary.operations.total}: ${counts(summary.operations.byKind)}`,
		`outcomes        ${counts(summary.operations.byOutcome)}`,
		`acknowledged    ${summary.acknowledged}`,
		`refused         ${summary.refusedAsExpected} (as expected: gates, nothing to sync, already there)`,
		`kills           ${summary.kills.total}: cli ${summary.kills.cli}, tui ${summary.kills.tui}, worker ${summary.kills.worker}`,
		`tui             ${summary.tui.starts} starts, ${summary.tui.keys} keys, :cexit exit ${summary.tui.cexitExitCode} after ${seconds(summary.tui.cexitMs ?? 0)}`,
		`worker          ${summary.worker.starts} starts of cws queue work`,
		`recoveries      ${r.sessions} killed sessions reported by the next start, ${r.jobsTakenBack} jobs taken back from dead workers, ${r.claimsAbandoned} abandoned claims, ${r.stateFilesRestored} state files restored, interrupted moves ${r.moves.completed} finished / ${r.moves.rolledBack} undone`,
		`sessions ended  ${counts(r.sessionEnds)}`,
		`jobs            ${summary.jobs.acknowledged} acknowledged of ${summary.jobs.total}: ${counts(summary.jobs.byState)}`,
		`moves           ${summary.moves.acknowledged} acknowledged; ${summary.moves.atLastAcknowledged} projects where the last one put them, ${summary.moves.settledByUnacknowledged} moved on by an interrupted one`,
		`remotes         ${summary.remotes.pushesChecked} pushes, ${summary.remotes.commitsChecked} commits, ${summary.remotes.backupsChecked} backups checked`,
		`verify          ${summary.verify.ok ? 'clean' : 'NOT CLEAN'}`,
		`lost            ${summary.lost}`,
	];
	if (Object.keys(summary.failures).length > 0) {
		lines.push('failed operations (not refusals):', ...Object.entries(summary.failures).map(([message, count]) => `  ${count}× ${message}`));
	}

	if (Object.keys(summary.jobs.attention).length > 0) {
		lines.push('jobs needing attention:', ...Object.entries(summary.jobs.attention).map(([message, count]) => `  ${count}× ${message}`));
	}

	if (summary.lostItems.length > 0) {
		lines.push('LOST:', ...summary.lostItems.map(item => `  ${item}`));
	}

	if (summary.problems.length > 0) {
		lines.push('PROBLEMS:', ...summary.problems.map(item => `  ${item}`));
	}

	if (summary.workspace) {
		lines.push(`kept: ${summary.workspace}`);
	}

	return lines.join('\n');
}
