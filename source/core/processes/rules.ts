import {randomBytes} from 'node:crypto';
import {CwsError} from '../errors.js';
import {compileRule, MAX_MATCHED_COMMAND, regexProblem} from './safe-regex.js';
import type {ProcessInfo} from './types.js';

/** How a rule recognises a program. */
export const RULE_KINDS = ['exe', 'name', 'cmdline'] as const;
export type RuleKind = (typeof RULE_KINDS)[number];

/** One protection rule of .cws/whitelist.json. */
export type WhitelistRule = {
	/** Stable id: 'default-…' for the shipped defaults, 'r-<hex>' for added ones. */
	id: string;
	/**
	 * 'exe': the real path of the executable equals `value` (a look-alike
	 * with the same name but another file does not match, and the real
	 * program matches whatever argv[0] it shows). 'name': the basename of
	 * argv[0] equals `value`. 'cmdline': the regular expression `value`
	 * matches the command line (argv joined by spaces, first 4,096 characters).
	 */
	kind: RuleKind;
	value: string;
	/** Only processes of this user (login name or uid) when set. */
	user?: string;
	/** Why it is protected, shown wherever the rule protects something. */
	reason: string;
	/** 'default' for the rules written on first use; 'user' for added ones. */
	origin: 'default' | 'user';
	/** ISO time the rule was written. */
	createdAt: string;
};

/** What a person supplies to add a rule. */
export type RuleInput = {kind: RuleKind; value: string; user?: string; reason?: string};

/** Why a rule is unacceptable, or undefined when it is fine. */
export function ruleProblem(rule: {kind: unknown; value: unknown; user?: unknown; reason?: unknown}): string | undefined {
	if (!RULE_KINDS.includes(rule.kind as RuleKind)) {
		return `the rule kind must be one of ${RULE_KINDS.join(', ')}`;
	}

	if (typeof rule.value !== 'string' || rule.value.trim() === '') {
		return 'the rule is empty: give an executable path, a program name or a regular expression';
	}

	if (rule.user !== undefined && (typeof rule.user !== 'string' || !/^[A-Za-z0-9_.][A-Za-z0-9_.-]*\$?$/.test(rule.user))) {
		return `"${String(rule.user)}" is not a user name or uid`;
	}

	if (rule.reason !== undefined && typeof rule.reason !== 'string') {
		return 'the reason must be text';
	}

	switch (rule.kind as RuleKind) {
		case 'exe': {
			return rule.value.startsWith('/') ? undefined : `the executable "${rule.value}" must be an absolute path`;
		}

		case 'name': {
			return rule.value.includes('/') || rule.value.includes('\0')
				? `the program name "${rule.value}" must be a bare name (argv[0] without folders); use an exe rule for a path`
				: undefined;
		}

		case 'cmdline': {
			const problem = regexProblem(rule.value);
			return problem === undefined ? undefined : `the command-line rule /${rule.value}/ is refused: ${problem}`;
		}
	}
}

/** Throws a CwsError naming the problem when the rule is unacceptable. */
export function assertValidRule(rule: RuleInput, file: string): void {
	const problem = ruleProblem(rule);
	if (problem !== undefined) {
		throw new CwsError('WHITELIST_INVALID_RULE', `Not added to ${file}: ${problem}.`, {
			hint: 'Rules match one of: --exe /real/path/of/program, --name argv0, --cmdline REGEX (no nested repetition like (a+)+, no back-references).',
		});
	}
}

/** A new user rule with a fresh id. */
export function newRule(input: RuleInput, now = new Date()): WhitelistRule {
	const rule: WhitelistRule = {
		id: `r-${randomBytes(4).toString('hex')}`,
		kind: input.kind,
		value: input.value,
		reason: input.reason?.trim() || `protected by ${input.kind} rule`,
		origin: 'user',
		createdAt: now.toISOString(),
	};
	if (input.user !== undefined) {
		rule.user = input.user;
	}

	return rule;
}

/** A rule with its regex compiled once, for matching many processes. */
export type CompiledRule = {rule: WhitelistRule; test(process: ProcessInfo): boolean};

/** Prepares rules for matching; rules were validated when loaded. */
export function compileRules(rules: readonly WhitelistRule[]): CompiledRule[] {
	return rules.map(rule => ({rule, test: matcher(rule)}));
}

function matcher(rule: WhitelistRule): (process: ProcessInfo) => boolean {
	const forUser = (process: ProcessInfo): boolean =>
		rule.user === undefined || rule.user === process.user || rule.user === String(process.uid);
	switch (rule.kind) {
		case 'exe': {
			return process => forUser(process) && process.exe === rule.value;
		}

		case 'name': {
			return process => forUser(process) && process.name === rule.value;
		}

		case 'cmdline': {
			const regex = compileRule(rule.value);
			return process => forUser(process) && regex.test(process.command.slice(0, MAX_MATCHED_COMMAND));
		}
	}
}
