import {createHash} from 'node:crypto';

/** The `format` field of every state file the store writes. */
export const ENVELOPE_FORMAT = 'cws-state';

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
 * How the payload's line starts in a file this cws writes: the header
 * fields come first, one per line, and the payload follows as its compact
 * JSON on the last field line. A raw newline can only be blank space
 * between JSON tokens (never inside a string), so this text never occurs
 * inside a value.
 */
const PAYLOAD_MARKER = '\n\t"payload": ';

/**
 * The file text for `payload` at `generation`: the header fields indented,
 * one per line, so that a person can read them and sniffGeneration finds
 * the generation at the top; the payload as the compact JSON the checksum
 * covers, so that a reader can hash those bytes as they are instead of
 * encoding the parsed payload again (see verifyEnvelopeText). The result is
 * plain JSON, so any JSON reader (and a cws that wrote the payload indented)
 * reads it. A caller that has the compact JSON already
 * (`JSON.stringify(payload)`) passes it as `compact`, saving a pass over a
 * large payload.
 */
export function encodeEnvelope(payload: unknown, meta: {version: number; generation: number}, compact?: string): string {
	const text = compact ?? (JSON.stringify(payload) as string | undefined);
	if (typeof text !== 'string') {
		throw new TypeError('A state file payload must have a JSON form (it is undefined, a function or a symbol).');
	}

	return `{\n\t"format": ${JSON.stringify(ENVELOPE_FORMAT)},\n\t"version": ${JSON.stringify(meta.version)},\n\t"generation": ${JSON.stringify(meta.generation)},\n\t"sha256": "${textHash(text)}",${PAYLOAD_MARKER}${text}\n}\n`;
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

/** A verified file with `payload`, the JSON text of its payload that the checksum covers. */
type VerifiedText<T> = (Verified<T> & {ok: false}) | {ok: true; data: T; generation: number; version: number; payload: string};

/**
 * verifyEnvelope that also hands back `payload`, the JSON text of the
 * payload that the checksum covers, so a reader that keeps it need not
 * encode the data again (a state of 10,000 projects is a few megabytes of
 * it).
 */
export function verifyEnvelopeText<T>(bytes: Buffer | string, spec: EnvelopeSpec<T>): VerifiedText<T> {
	const text = typeof bytes === 'string' ? bytes : bytes.toString('utf8');
	return verifyCompactPayload(text, spec) ?? verifyWholeFile(text, spec);
}

/**
 * The fast path for a file in the layout encodeEnvelope writes: the bytes
 * of the payload's line are hashed as they are, instead of the parsed
 * payload being encoded again to be hashed. Undefined (take the whole-file
 * path) for any other file and for anything whose header or checksum does
 * not verify, so that every such fault reads exactly as it did; a payload
 * that verifies but fails the schema gets the same `schema: …` fault the
 * whole-file path gives.
 *
 * Why this verifies as much as the whole-file path. The checksum defends
 * against torn writes and damage (a disk, a partial copy, an editor), not
 * against someone who can write the file: they can record a matching
 * sha256 for any payload either way. A change to any byte of the line is a
 * mismatch here; a change to the recorded sha256 is one too (a line
 * hashing to a damaged sha256 would be a sha256 collision). So a line that
 * hashes to the recorded sha256 is exactly the compact JSON its writer
 * hashed, which is the canonical text the whole-file path would compute.
 * The data is parsed from those same bytes, and the header from the bytes
 * before the line with the line replaced by `null`. When both parse, the
 * whole file is valid JSON with the header's fields and the line's value as
 * its payload: a raw newline is only ever blank space between tokens, so
 * the marker is a member name of an object, and that object is the
 * outermost one and the member its last (after the line come only `}` and
 * the end), so it wins over any earlier "payload" as it does for JSON.parse.
 * The outcome is the whole-file path's, found with one parse and one hash
 * instead of a parse, an encoding and a hash. The one difference: a line
 * in another JSON spelling (`{"n": 1}`) whose own bytes the sha256 covers is
 * read as written, where the whole-file path reports a mismatch; no cws
 * writes one and no damage makes one, only a deliberate writer, who could
 * as well record the sha256 of the usual spelling.
 *
 * Compact JSON holds no raw newline: a file whose payload is indented (as
 * an older cws wrote it), with a second marker, or whose line does not end
 * the file takes the whole-file path without hashing anything.
 */
function verifyCompactPayload<T>(text: string, spec: EnvelopeSpec<T>): VerifiedText<T> | undefined {
	const marker = text.indexOf(PAYLOAD_MARKER);
	if (marker < 0) {
		return undefined;
	}

	const start = marker + PAYLOAD_MARKER.length;
	const end = text.endsWith('\n}\n') ? text.length - 3 : text.endsWith('\n}') ? text.length - 2 : -1;
	// The first newline after the marker must be the one before the closing brace.
	if (end < start || text.indexOf('\n', start) !== end) {
		return undefined;
	}

	let header: unknown;
	try {
		header = JSON.parse(`${text.slice(0, marker)}${PAYLOAD_MARKER}null\n}`);
	} catch {
		return undefined;
	}

	const checked = checkHeader(header, spec);
	if (!checked.ok) {
		return undefined;
	}

	const line = text.slice(start, end);
	if (textHash(line) !== checked.sha256) {
		return undefined;
	}

	let payload: unknown;
	try {
		payload = JSON.parse(line);
	} catch {
		return undefined;
	}

	return parsePayload(payload, line, checked, spec);
}

/** Verifies any JSON layout: parses the whole file, then hashes the payload encoded again. */
function verifyWholeFile<T>(text: string, spec: EnvelopeSpec<T>): VerifiedText<T> {
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

	const checked = checkHeader(parsed, spec);
	if (!checked.ok) {
		return checked;
	}

	const envelope = parsed as Record<string, unknown>;
	if (!('payload' in envelope)) {
		return {ok: false, fault: 'envelope: payload is missing', generation: checked.generation};
	}

	const canonical = JSON.stringify(envelope['payload']);
	const actual = textHash(canonical);
	if (actual !== checked.sha256) {
		return {ok: false, fault: `checksum mismatch (payload hashes to ${actual.slice(0, 12)}…, envelope says ${checked.sha256.slice(0, 12)}…)`, generation: checked.generation};
	}

	return parsePayload(envelope['payload'], canonical, checked, spec);
}

type Header = {ok: true; version: number; generation: number; sha256: string};

/** The envelope's own fields, in the order their faults are reported. */
function checkHeader(parsed: unknown, spec: {version: number}): Header | (Verified<never> & {ok: false}) {
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

	return {ok: true, version, generation, sha256};
}

/** Migrates and validates a payload whose checksum matched. */
function parsePayload<T>(payload: unknown, text: string, header: Header, spec: EnvelopeSpec<T>): VerifiedText<T> {
	const {version, generation} = header;
	try {
		const current = version < spec.version && spec.migrate ? spec.migrate(payload, version) : payload;
		return {ok: true, data: spec.parse(current), generation, version, payload: text};
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
