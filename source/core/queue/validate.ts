import path from 'node:path';
import {PROJECT_NAME_PATTERN} from '../board/names.js';
import type {Target} from './types.js';
import {parseRsyncDest} from './runners/rsync.js';

/** Project folder names (the board's rule) and sync target names. */
export const PROJECT_NAME = PROJECT_NAME_PATTERN;
export const TARGET_NAME = /^[a-z0-9][a-z0-9._-]{0,31}$/;

/** A problem in .cws/config.json, with the path of the offending field. */
export class ConfigProblem extends Error {
	constructor(readonly field: string, problem: string) {
		super(`${field} ${problem}`);
		this.name = 'ConfigProblem';
	}
}

type Raw = Record<string, unknown>;

export function isRecord(value: unknown): value is Raw {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function record(value: unknown, field: string): Raw {
	if (!isRecord(value)) {
		throw new ConfigProblem(field, 'must be an object');
	}

	return value;
}

export function optionalString(value: unknown, field: string): string | undefined {
	if (value === undefined || value === null) {
		return undefined;
	}

	if (typeof value !== 'string' || value.trim() === '') {
		throw new ConfigProblem(field, 'must be a non-empty string');
	}

	if (value.includes('\0') || value.includes('\n')) {
		throw new ConfigProblem(field, 'must not contain NUL or newline characters');
	}

	return value;
}

export function requiredString(value: unknown, field: string): string {
	const text = optionalString(value, field);
	if (text === undefined) {
		throw new ConfigProblem(field, 'is required');
	}

	return text;
}

export function integer(value: unknown, field: string, fallback: number, min: number, max: number): number {
	if (value === undefined) {
		return fallback;
	}

	if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
		throw new ConfigProblem(field, `must be a whole number from ${min} to ${max}`);
	}

	return value;
}

export function bool(value: unknown, field: string, fallback: boolean): boolean {
	if (value === undefined) {
		return fallback;
	}

	if (typeof value !== 'boolean') {
		throw new ConfigProblem(field, 'must be true or false');
	}

	return value;
}

export function stringList(value: unknown, field: string): string[] {
	if (value === undefined) {
		return [];
	}

	if (!Array.isArray(value)) {
		throw new ConfigProblem(field, 'must be a list of strings');
	}

	return value.map((item, index) => requiredString(item, `${field}[${index}]`));
}

/**
 * Anything that reaches git, rsync or ssh as a positional must not look like
 * an option: we pass `--` where the tool supports it, but ssh receives the
 * host from rsync without one, so a leading '-' is refused outright.
 */
export function notOption(value: string, field: string): string {
	if (value.startsWith('-')) {
		throw new ConfigProblem(field, `must not start with '-' (got ${JSON.stringify(value)})`);
	}

	return value;
}

/** A git branch name we are willing to put into refs/heads/<branch>. */
export function branchName(value: unknown, field: string): string | undefined {
	const branch = optionalString(value, field);
	if (branch === undefined) {
		return undefined;
	}

	notOption(branch, field);
	// The rules of git check-ref-format that matter for a refs/heads/ name.
	if (/[\s~^:?*[\\\x00-\x1f\x7f]|\.\.|@\{|\/\/|^\/|\/$|\.lock$|\.$|^@$|(^|\/)\./.test(branch)) {
		throw new ConfigProblem(field, `is not a valid git branch name (got ${JSON.stringify(branch)})`);
	}

	return branch;
}

/** A remote name as `git remote add` would accept it. */
export function remoteName(value: unknown, field: string): string {
	const remote = optionalString(value, field) ?? 'origin';
	notOption(remote, field);
	if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(remote)) {
		throw new ConfigProblem(field, `is not a valid git remote name (got ${JSON.stringify(remote)})`);
	}

	return remote;
}

/** An rsync destination: an absolute local path, or host:path with a sane host. */
export function rsyncDest(value: unknown, field: string): string {
	const dest = notOption(requiredString(value, field), field);
	const parsed = parseRsyncDest(dest);
	if (parsed.remote) {
		if (!/^([A-Za-z0-9_.-]+@)?[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(parsed.host)) {
			throw new ConfigProblem(field, `has an invalid host ${JSON.stringify(parsed.host)} (use host:path or user@host:path)`);
		}

		if (parsed.path.startsWith('-')) {
			throw new ConfigProblem(field, 'must not have a path starting with \'-\'');
		}
	} else if (!path.isAbsolute(parsed.path)) {
		throw new ConfigProblem(field, `must be an absolute path or host:path (got ${JSON.stringify(dest)})`);
	}

	return dest;
}

/**
 * A repository URL or path for `git clone`: no option look-alikes, no
 * command-running transports, and no ssh host that ssh would read as an option.
 */
export function repoUrl(value: unknown, field: string): string {
	const url = notOption(requiredString(value, field), field);
	if (/^ext::|^fd::/i.test(url)) {
		throw new ConfigProblem(field, 'must not use the ext:: or fd:: transports');
	}

	const host = /^[a-z+]+:\/\/(?:[^@/]*@)?([^/:]*)/i.exec(url)?.[1] ?? /^(?:[^@/:]*@)?([^/:]+):/.exec(url)?.[1];
	if (host?.startsWith('-')) {
		throw new ConfigProblem(field, `has a host starting with '-' (${JSON.stringify(host)})`);
	}

	return url;
}

export function targetName(value: unknown, field: string): string {
	const name = requiredString(value, field);
	if (!TARGET_NAME.test(name)) {
		throw new ConfigProblem(field, `must match ${TARGET_NAME.source} (got ${JSON.stringify(name)})`);
	}

	return name;
}

/** Validates one target entry of the config (or of a job file). */
export function parseTarget(value: unknown, field: string): Target {
	const raw = record(value, field);
	const name = targetName(raw['name'], `${field}.name`);
	const timeout = raw['timeoutMs'] === undefined ? {} : {timeoutMs: integer(raw['timeoutMs'], `${field}.timeoutMs`, 0, 1000, 24 * 3600_000)};
	switch (raw['kind']) {
		case 'git': {
			const branch = branchName(raw['branch'], `${field}.branch`);
			return {name, kind: 'git', remote: remoteName(raw['remote'], `${field}.remote`), ...(branch ? {branch} : {}),
				autoCommit: bool(raw['autoCommit'], `${field}.autoCommit`, false), ...timeout};
		}

		case 'rsync': {
			return {name, kind: 'rsync', dest: rsyncDest(raw['dest'], `${field}.dest`),
				excludes: stringList(raw['excludes'], `${field}.excludes`), ...timeout};
		}

		case 'export': {
			const branch = branchName(raw['branch'], `${field}.branch`);
			return {name, kind: 'export', repo: repoUrl(raw['repo'], `${field}.repo`), ...(branch ? {branch} : {}),
				privatePaths: stringList(raw['privatePaths'], `${field}.privatePaths`), ...timeout};
		}

		case 'custom': {
			return {name, kind: 'custom', runner: requiredString(raw['runner'], `${field}.runner`),
				params: record(raw['params'] ?? {}, `${field}.params`), ...timeout};
		}

		default: {
			throw new ConfigProblem(`${field}.kind`, `must be "git", "rsync" or "export" (got ${JSON.stringify(raw['kind'])})`);
		}
	}
}
