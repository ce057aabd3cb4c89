/**
 * What every worker did and what cws answered: the record the final checks
 * hold the workspace to. An operation is ACKNOWLEDGED when its command
 * exited 0 and printed what it promised (the job ids, the rule id, the note);
 * only acknowledged effects must be found at the end.
 */
import type {Stage} from '../../source/core/paths.js';
import type {CliResult} from './procs.js';

export const OP_KINDS = ['move', 'note', 'sync', 'whitelist-add', 'whitelist-remove', 'commit', 'read'] as const;
export type OpKind = (typeof OP_KINDS)[number];

/**
 * acknowledged: done and confirmed; refused: a refusal the rules call for
 * (a gate, nothing to sync, already there); failed: an error exit that is
 * not a refusal; killed: SIGKILLed mid-flight by the killer; hung: ran past
 * its time limit; crashed: died of an uncaught error or an odd exit code.
 */
export type Outcome = 'acknowledged' | 'refused' | 'failed' | 'killed' | 'hung' | 'crashed';

export type OpRecord = {
	seq: number;
	worker: number;
	kind: OpKind;
	project?: string;
	args: string[];
	startedAt: number;
	endedAt: number;
	outcome: Outcome;
	/** First line of the error for refused/failed/crashed, the exit code otherwise. */
	detail?: string;
	/** move: target stage, and the time of the history entry cws printed. */
	to?: Stage;
	at?: string;
	/** note: its text. */
	text?: string;
	/** sync and move: job ids printed. */
	jobs?: string[];
	/** whitelist-add: the rule; whitelist-remove: the rule removed. */
	rule?: {id: string; value: string};
	/** commit: the new commit. */
	commit?: string;
};

/** Messages of refusals the product is expected to give for some random operations. */
const REFUSALS: RegExp[] = [
	/cannot move to/,
	/is already in/,
	/another process moved it meanwhile/,
	/has nowhere to sync to/,
	/has no sync target named/,
];

/** Classifies an unacknowledged CLI result. */
export function classify(result: CliResult): {outcome: Exclude<Outcome, 'acknowledged'>; detail: string} {
	const text = `${result.stderr}\n${result.stdout}`.trim();
	const firstLine = text.split('\n').find(line => line.trim() !== '')?.trim() ?? `exit ${result.code ?? result.signal}`;
	if (result.killed) {
		return {outcome: 'killed', detail: 'SIGKILL'};
	}

	if (result.hung) {
		return {outcome: 'hung', detail: `no exit within the time limit: ${firstLine}`};
	}

	if (result.code === null || result.code > 2 || /\n\s+at .+:\d+:\d+\)?\n/.test(`${result.stderr}\n`)) {
		return {outcome: 'crashed', detail: `exit ${result.code ?? result.signal}: ${text.slice(0, 2000)}`};
	}

	if (result.code !== 0 && REFUSALS.some(pattern => pattern.test(text))) {
		return {outcome: 'refused', detail: firstLine};
	}

	return {outcome: 'failed', detail: firstLine};
}

/** Interrupted moves a later command finished or undid, as it told on stderr. */
export type MoveRecoveries = {completed: number; rolledBack: number; lost: number};

/** The shared record of a run. */
export class Ledger {
	readonly ops: OpRecord[] = [];
	readonly moveRecoveries: MoveRecoveries = {completed: 0, rolledBack: 0, lost: 0};
	private seq = 0;

	/** Counts the reconciliation notices in a command's stderr. */
	noteRecoveries(stderr: string): void {
		this.moveRecoveries.completed += (stderr.match(/An interrupted .* had happened/g) ?? []).length;
		this.moveRecoveries.rolledBack += (stderr.match(/An interrupted .* had not happened/g) ?? []).length;
		this.moveRecoveries.lost += (stderr.match(/An interrupted .* left no folder/g) ?? []).length;
	}

	nextSeq(): number {
		return ++this.seq;
	}

	add(record: OpRecord): void {
		this.ops.push(record);
	}

	acknowledged(kind?: OpKind): OpRecord[] {
		return this.ops.filter(op => op.outcome === 'acknowledged' && (kind === undefined || op.kind === kind));
	}

	byKind(): Record<OpKind, number> {
		const counts = Object.fromEntries(OP_KINDS.map(kind => [kind, 0])) as Record<OpKind, number>;
		for (const op of this.ops) {
			counts[op.kind]++;
		}

		return counts;
	}

	byOutcome(): Record<Outcome, number> {
		const counts: Record<Outcome, number> = {acknowledged: 0, refused: 0, failed: 0, killed: 0, hung: 0, crashed: 0};
		for (const op of this.ops) {
			counts[op.outcome]++;
		}

		return counts;
	}
}
