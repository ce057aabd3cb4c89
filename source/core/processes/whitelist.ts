import {realpath} from 'node:fs/promises';
import {CwsError, errnoCode} from '../errors.js';
import {SchemaError, type StateSpec, type Store} from '../store.js';
import {defaultRules} from './defaults.js';
import {assertValidRule, newRule, ruleProblem, type RuleInput, type WhitelistRule} from './rules.js';

/** Payload of .cws/whitelist.json. */
export type WhitelistData = {rules: WhitelistRule[]};

/** .cws/whitelist.json: protection rules, validated on every load. */
export const whitelistSpec: StateSpec<WhitelistData> = {
	name: 'whitelist.json',
	version: 1,
	parse: parseWhitelist,
	initial: () => ({rules: defaultRules()}),
};

/** Checks a whitelist payload; throws SchemaError naming the first bad field. */
export function parseWhitelist(payload: unknown): WhitelistData {
	if (typeof payload !== 'object' || payload === null || !Array.isArray((payload as {rules?: unknown}).rules)) {
		throw new SchemaError('rules: must be a list');
	}

	const ids = new Set<string>();
	const rules = (payload as {rules: unknown[]}).rules.map((value, index): WhitelistRule => {
		const at = `rules[${index}]`;
		if (typeof value !== 'object' || value === null) {
			throw new SchemaError(`${at}: must be an object`);
		}

		const rule = value as Record<string, unknown>;
		if (typeof rule['id'] !== 'string' || rule['id'] === '' || ids.has(rule['id'])) {
			throw new SchemaError(`${at}.id: must be a unique, non-empty text`);
		}

		ids.add(rule['id']);
		const problem = ruleProblem({kind: rule['kind'], value: rule['value'], user: rule['user'], reason: rule['reason']});
		if (problem !== undefined) {
			throw new SchemaError(`${at} (${rule['id']}): ${problem}`);
		}

		if (typeof rule['reason'] !== 'string' || typeof rule['createdAt'] !== 'string') {
			throw new SchemaError(`${at} (${rule['id']}): reason and createdAt must be text`);
		}

		if (rule['origin'] !== 'default' && rule['origin'] !== 'user') {
			throw new SchemaError(`${at} (${rule['id']}).origin: must be "default" or "user"`);
		}

		return value as WhitelistRule;
	});
	return {rules};
}

/**
 * The rules. The first read of a workspace without a whitelist writes the
 * defaults, so that what protects processes is always a file the person can
 * read and edit, never an invisible fallback.
 */
export async function loadRules(store: Store): Promise<WhitelistRule[]> {
	const loaded = await store.read(whitelistSpec);
	if (loaded.generation > 0) {
		return loaded.data.rules;
	}

	try {
		return (await store.update(whitelistSpec, current => current)).data.rules;
	} catch (error) {
		// A read-only workspace can still be listed and protected: the
		// defaults apply from memory until the file can be written.
		if (error instanceof CwsError && error.code === 'READ_ONLY') {
			return loaded.data.rules;
		}

		throw error;
	}
}

/** What addRule did: the rule, and whether it is new (false: an identical rule already existed). */
export type AddRuleResult = {rule: WhitelistRule; added: boolean};

/**
 * Validates and adds a rule. An exe rule's path is resolved to its real
 * path first (the kernel reports a process's exe that way), so it must
 * exist. Adding a rule identical to an existing one returns that one.
 */
export async function addRule(store: Store, input: RuleInput): Promise<AddRuleResult> {
	const file = store.filePath(whitelistSpec);
	assertValidRule(input, file);
	const value = input.kind === 'exe' ? await realExecutable(input.value) : input.value;
	const candidate = newRule({...input, value});
	let result: AddRuleResult = {rule: candidate, added: true};
	await store.update(whitelistSpec, current => {
		const same = current.rules.find(rule => rule.kind === candidate.kind && rule.value === candidate.value && rule.user === candidate.user);
		if (same) {
			result = {rule: same, added: false};
			return current;
		}

		result = {rule: candidate, added: true};
		return {rules: [...current.rules, candidate]};
	});
	return result;
}

/** Removes the rule with this id (defaults included); throws when there is none. */
export async function removeRule(store: Store, id: string): Promise<WhitelistRule> {
	const exists = (await store.read(whitelistSpec)).data.rules.some(rule => rule.id === id);
	const removed: WhitelistRule[] = [];
	if (exists) {
		// Checked again under the lock: another process may have removed it meanwhile.
		await store.update(whitelistSpec, current => {
			removed.push(...current.rules.filter(rule => rule.id === id));
			return {rules: current.rules.filter(rule => rule.id !== id)};
		});
	}

	const [rule] = removed;
	if (rule === undefined) {
		throw new CwsError('WHITELIST_NO_SUCH_RULE', `No rule "${id}" in ${store.filePath(whitelistSpec)}.`, {
			hint: 'Run `cws whitelist` to see the rule ids. Built-in protection (PID 1, other users, cws and its ancestors) is not a rule and cannot be removed.',
		});
	}

	return rule;
}

async function realExecutable(file: string): Promise<string> {
	try {
		return await realpath(file);
	} catch (error) {
		if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') {
			throw new CwsError('WHITELIST_INVALID_RULE', `Not added: the executable ${file} does not exist.`, {
				hint: 'An exe rule names the real file of a program, e.g. --exe "$(command -v vim)".',
			});
		}

		throw error;
	}
}
