import type {CompiledRule} from './rules.js';
import type {ProcessInfo} from './types.js';

/** Protection no rule can lift. */
export const BUILT_IN = ['pid-1', 'kernel-thread', 'other-user', 'self', 'ancestor'] as const;
export type BuiltInCode = (typeof BUILT_IN)[number];

/** One reason a process may not be stopped. */
export type ProtectionReason =
	| {source: 'built-in'; code: BuiltInCode; text: string}
	| {source: 'rule'; ruleId: string; text: string};

/** Whether a process may be stopped, and every reason it may not. */
export type Protection = {protected: boolean; reasons: ProtectionReason[]};

/** Who is asking, and which rules apply. */
export type Guard = {
	/** Our uid: processes of any other user are protected. */
	uid: number;
	/** This program's pid. */
	selfPid: number;
	/** pids of this program's ancestors (its shell, tmux, sshd …). */
	ancestors: ReadonlySet<number>;
	rules: readonly CompiledRule[];
	/** Finds the rules matching a process (e.g. through a RuleMatchCache); default: test each rule. */
	match?: (process: ProcessInfo) => readonly CompiledRule[];
};

/** Built-in reasons first (they cannot be removed), then matching rules in file order. */
export function protectionOf(process: ProcessInfo, guard: Guard): Protection {
	const reasons: ProtectionReason[] = builtInReasons(process, guard);
	const matched = guard.match ? guard.match(process) : guard.rules.filter(rule => rule.test(process));
	for (const {rule} of matched) {
		reasons.push({source: 'rule', ruleId: rule.id, text: `rule ${rule.id}: ${rule.reason}`});
	}

	return {protected: reasons.length > 0, reasons};
}

/** The reasons no rule can remove. */
export function builtInReasons(process: Pick<ProcessInfo, 'pid' | 'ppid' | 'uid' | 'user'>, guard: Omit<Guard, 'rules'>): ProtectionReason[] {
	const reasons: ProtectionReason[] = [];
	const add = (code: BuiltInCode, text: string): void => {
		reasons.push({source: 'built-in', code, text: `built-in: ${text}`});
	};

	if (process.pid === 1) {
		add('pid-1', 'PID 1 (init) is never signalled');
	}

	// Children of kthreadd are kernel threads; signals do not stop them.
	if (process.pid === 2 || process.ppid === 2) {
		add('kernel-thread', 'kernel thread');
	}

	if (process.uid !== guard.uid) {
		add('other-user', `process of another user (${process.user})`);
	}

	if (process.pid === guard.selfPid) {
		add('self', 'this cws process');
	} else if (guard.ancestors.has(process.pid)) {
		add('ancestor', 'ancestor of this cws process (the shell, terminal or session running it)');
	}

	return reasons;
}

/** pids above `pid` along the ppid chain, up to (not including) 0. */
export function ancestorsOf(pid: number, parentOf: (pid: number) => number | undefined): Set<number> {
	const ancestors = new Set<number>();
	let current = parentOf(pid);
	while (current !== undefined && current > 0 && !ancestors.has(current)) {
		ancestors.add(current);
		current = parentOf(current);
	}

	return ancestors;
}

/** The first reason as one line, for messages and the pane. */
export function protectionSummary(protection: Protection): string {
	return protection.reasons[0]?.text ?? 'not protected';
}
