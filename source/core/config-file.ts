import {constants} from 'node:fs';
import {readFile} from 'node:fs/promises';
import {ENVELOPE_FORMAT} from './envelope.js';
import {CwsError, errnoCode} from './errors.js';
import type {WorkspacePaths} from './paths.js';

/**
 * Reads the payload of .cws/config.json, whose top-level sections belong to
 * different modules (`sync`, `processes`, `board`). Undefined when the file
 * does not exist: each module then uses its defaults. A file in the store's
 * envelope goes through `readEnvelope` when given (verified, recovered from
 * backup); a plain JSON file, as a person writes it by hand, is read as is.
 * An unreadable or unparsable file is an error, never silently replaced by
 * defaults: a policy a user wrote must not be ignored without a word.
 */
export async function readConfigPayload(
	paths: WorkspacePaths,
	readEnvelope?: () => Promise<unknown>,
): Promise<unknown> {
	let text: string;
	try {
		// O_NOFOLLOW: a link in place of the policy file is refused, not followed.
		text = await readFile(paths.config, {encoding: 'utf8', flag: constants.O_RDONLY | constants.O_NOFOLLOW});
	} catch (error) {
		if (errnoCode(error) === 'ENOENT') {
			return undefined;
		}

		if (errnoCode(error) === 'ELOOP') {
			throw new CwsError('SYMLINK_REFUSED', `Refusing to read ${paths.config}: it is a symbolic link.`, {hint: 'cws only reads its own regular files; replace the link with the file it points to, or remove it.'});
		}

		throw new CwsError('CONFIG_UNREADABLE', `Cannot read ${paths.config}: ${(error as Error).message}`, {hint: 'Check the file and its permissions.'});
	}

	let raw: unknown;
	try {
		raw = JSON.parse(text);
	} catch {
		throw new CwsError('CONFIG_INVALID', `${paths.config} is not valid JSON.`, {hint: 'Fix the file (or run `cws verify`), then try again.'});
	}

	if (!isEnvelope(raw)) {
		return raw;
	}

	return readEnvelope ? readEnvelope() : raw['payload'];
}

/** One top-level section of a config payload, or undefined. */
export function configSection(payload: unknown, name: string): unknown {
	return typeof payload === 'object' && payload !== null && !Array.isArray(payload) ? (payload as Record<string, unknown>)[name] : undefined;
}

function isEnvelope(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && (value as Record<string, unknown>)['format'] === ENVELOPE_FORMAT;
}
