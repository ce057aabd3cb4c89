import {createHash} from 'node:crypto';

/** The `format` field of every state file the store writes. */
export const ENVELOPE_FORMAT = 'cws-state';

/**
 * A state file on disk: who wrote it (format), the payload's format version,
 * the generation (incremented on every commit; the fencing token) and the
 * sha256 of `JSON.stringify(payload)`.
 */
export type Envelope = {
	format: typeof ENVELOPE_FORMAT;
	version: number;
	generation: number;
	sha256: string;
	payload: unknown;
};

/**
 * Thrown by a StateSpec's `parse` when a payload does not have the expected
 * shape. The message names the field, e.g. `projects.foo.stage: must be one
 * of sandbox, active, stable, public`.
 */
export class SchemaError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'SchemaError';
	}
}

/** What envelope verification needs from a StateSpec. */
export type EnvelopeSpec<T> = {
	version: number;
	parse(payload: unknown): T;
	/** Upgrades a payload written with an older `version`; without it, parse gets it as is. */
	migrate?(payload: unknown, fromVersion: number): unknown;
};

/** The outcome of verifying a state file's bytes. */
export type Verified<T> =
	| {ok: true; data: T; generation: number; version: number}
	| {ok: false; fault: string; generation?: number};

/** sha256 (hex) of the canonical text of a payload. */
export function payloadHash(payload: unknown): string {
	return textHash(JSON.stringify(payload));
}

function textHash(text: string): string {
	return createHash('sha256').update(text).digest('hex');
}

/**
 * The file text for `payload` at `generation`. Indented so that a person can
 * read and diff state files; the checksum covers the compact JSON, so the
 * layout of the file does not matter to verification. A caller that has
 * the compact JSON already (`JSON.stringify(payload)`) passes it as
 * `compact`, saving a pass over a large payload.
 */
export function encodeEnvelope(payload: unknown, meta: {version: number; generation: number}, compact?: string): string {
	const envelope: Envelope = {
		format: ENVELOPE_FORMAT,
		version: meta.version,
		generation: meta.generation,
		sha256: compact === undefined ? payloadHash(payload) : textHash(compact),
		payload,
	};
	return `${JSON.stringify(envelope, null, '\t')}\n`;
}

/** How a control character in a parse error is shown (others as \uXXXX). */
const visibleControls: Record<string, string> = {'\n': '\\n', '\r': '\\r', '\t': '\\t'};

/**
 * Checks a state file's bytes: JSON, envelope fields, format version (a
 * newer one is a fault: reading it would drop what this cws does not know),
 * checksum, then the payload's schema. The fault is one precise phrase.
 */
export function verifyEnvelope<T>(bytes: Buffer | string, spec: EnvelopeSpec<T>): Verified<T> {
	const verified = verifyEnvelopeText(bytes, spec);
	if (!verified.ok) {
		return verified;
	}

	const {payload: _text, ...rest} = verified;
	return rest;
}

/**
 * verifyEnvelope that also hands back `payload`, the canonical text the
 * checksum covers, so a reader that keeps it need not encode the data again
 * (a state of 10,000 projects is a few megabytes of it).
 */
export function verifyEnvelopeText<T>(bytes: Buffer | string, spec: EnvelopeSpec<T>): (Verified<T> & {ok: false}) | {ok: true; data: T; generation: number; version: number; payload: string} {
	const text = typeof bytes === 'string' ? bytes : bytes.toString('utf8');
	if (text.trim() === '') {
		return {ok: false, fault: text.length === 0 ? 'empty file' : 'file holds only blank space'};
	}

	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch (error) {
		const generation = sniffGeneration(text);
		// V8's message quotes the file's own bytes: keep the fault on one line and
		// never let a damaged file put escape sequences on the user's terminal.
		const reason = (error instanceof Error ? error.message : String(error))
			// eslint-disable-next-line no-control-regex
			.replaceAll(/[\u0000-\u001F\u007F-\u009F]/g, ch => visibleControls[ch] ?? `\\u${ch.codePointAt(0)!.toString(16).padStart(4, '0')}`);
		return {ok: false, fault: `truncated or not JSON (${reason})`, ...(generation === undefined ? {} : {generation})};
	}

	if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
		return {ok: false, fault: 'not a cws state file (the JSON is not an object)'};
	}

	const envelope = parsed as Record<string, unknown>;
	if (envelope['format'] !== ENVELOPE_FORMAT) {
		return {ok: false, fault: `not a cws state file (format is ${JSON.stringify(envelope['format'] ?? null)}, expected "${ENVELOPE_FORMAT}")`};
	}

	const {version, generation, sha256} = envelope;
	if (!isCount(generation)) {
		return {ok: false, fault: 'envelope: generation is missing or not a whole number'};
	}

	if (!isCount(version) || version < 1) {
		return {ok: false, fault: 'envelope: format version is missing or not a whole number', generation};
	}

	if (version > spec.version) {
		return {ok: false, fault: `format version ${version} is newer than this cws understands (${spec.version})`, generation};
	}

	if (typeof sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(sha256)) {
		return {ok: false, fault: 'envelope: sha256 is missing or malformed', generation};
	}

	if (!('payload' in envelope)) {
		return {ok: false, fault: 'envelope: payload is missing', generation};
	}

	const canonical = JSON.stringify(envelope['payload']);
	const actual = textHash(canonical);
	if (actual !== sha256) {
		return {ok: false, fault: `checksum mismatch (payload hashes to ${actual.slice(0, 12)}…, envelope says ${sha256.slice(0, 12)}…)`, generation};
	}

	try {
		const payload = version < spec.version && spec.migrate ? spec.migrate(envelope['payload'], version) : envelope['payload'];
		return {ok: true, data: spec.parse(payload), generation, version, payload: canonical};
	} catch (error) {
		if (error instanceof SchemaError) {
			return {ok: false, fault: `schema: ${error.message}`, generation};
		}

		throw error;
	}
}

/**
 * The generation recorded in a file's header, read without parsing the
 * whole file (the writer puts the header first). Undefined when absent.
 */
export function sniffGeneration(text: string): number | undefined {
	const head = text.slice(0, 512);
	if (!head.includes(`"${ENVELOPE_FORMAT}"`)) {
		return undefined;
	}

	const match = /"generation"\s*:\s*(\d{1,15})\s*[,}]/.exec(head);
	return match ? Number(match[1]) : undefined;
}

function isCount(value: unknown): value is number {
	return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
