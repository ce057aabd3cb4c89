import type {RuleInput} from './rules.js';
import type {ProcessEntry} from './snapshot.js';

/** What the pane's protect key would do for a process; shown before anything is saved. */
export type ProtectionToggle =
	| {action: 'add'; rule: RuleInput; description: string}
	| {action: 'remove'; ruleIds: string[]; description: string}
	| {action: 'none'; description: string};

/**
 * Protecting adds an exe rule (the precise kind: only this program file,
 * whatever it calls itself) or, when the executable cannot be read, a name
 * rule limited to the process's user. Unprotecting removes every rule that
 * matches it; built-in protection cannot be toggled.
 */
export function protectionToggle(entry: ProcessEntry): ProtectionToggle {
	const builtIn = entry.protection.reasons.filter(reason => reason.source === 'built-in');
	if (builtIn.length > 0) {
		return {action: 'none', description: `${builtIn[0]!.text}; no rule can change that.`};
	}

	const ruleIds = entry.protection.reasons.flatMap(reason => (reason.source === 'rule' ? [reason.ruleId] : []));
	if (ruleIds.length > 0) {
		return {action: 'remove', ruleIds, description: `Remove ${ruleIds.length === 1 ? 'rule' : 'rules'} ${ruleIds.join(', ')}: ${entry.name} and every process ${ruleIds.length === 1 ? 'it matches' : 'they match'} can then be stopped.`};
	}

	if (entry.exe !== null) {
		return {action: 'add', rule: {kind: 'exe', value: entry.exe, reason: `protected from the pane (${entry.name})`}, description: `Protect every process running ${entry.exe}.`};
	}

	return {
		action: 'add',
		rule: {kind: 'name', value: entry.name, user: entry.user, reason: `protected from the pane (${entry.name})`},
		description: `Protect every process of ${entry.user} named ${entry.name}.`,
	};
}
