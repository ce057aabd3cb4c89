import {createHash} from 'node:crypto';
import {mkdir, readdir, readFile} from 'node:fs/promises';
import path from 'node:path';
import {afterAll, describe, expect, it, vi} from 'vitest';
import {atomicWriteFile} from '../../source/core/atomic-write.js';
import {ENVELOPE_FORMAT, encodeEnvelope, payloadHash, sniffGeneration, verifyEnvelopeText, type EnvelopeSpec} from '../../source/core/envelope.js';
import {Store} from '../../source/core/store.js';
import {tempDirs} from '../helpers/tmp.js';
import {counterSpec} from '../fixtures/store-specs.js';

const temps = tempDirs('envelope');
afterAll(async () => temps.cleanupAll());

const anything: EnvelopeSpec<unknown> = {version: 1, parse: payload => payload};

/** The layout an older cws wrote: the whole envelope indented with tabs. */
function indentedFile(payload: unknown, generation: number, sha256 = payloadHash(payload)): string {
	return `${JSON.stringify({format: ENVELOPE_FORMAT, version: 1, generation, sha256, payload}, null, '\t')}\n`;
}

/** A file in the layout this cws writes, with a chosen payload line and sha256 (for crafted files). */
function compactFile(line: string, generation: number, sha256: string): string {
	return `{\n\t"format": "cws-state",\n\t"version": 1,\n\t"generation": ${generation},\n\t"sha256": "${sha256}",\n\t"payload": ${line}\n}\n`;
}

const sha = (text: string) => payloadHash(JSON.parse(text));

/**
 * What verification concluded before payload lines were hashed as they are:
 * the whole file parsed, its payload encoded again and hashed. Every file must
 * still get this outcome.
 */
function reference(text: string): {ok: true; data: unknown; generation: number} | {ok: false; fault: RegExp} {
	let envelope: Record<string, unknown>;
	try {
		envelope = JSON.parse(text) as Record<string, unknown>;
	} catch {
		return {ok: false, fault: /^(truncated or not JSON|empty file|file holds only blank space)/};
	}

	const {format, version, generation, sha256} = envelope ?? {};
	if (format !== ENVELOPE_FORMAT || typeof generation !== 'number' || version !== 1 || typeof sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(sha256)) {
		return {ok: false, fault: /^(not a cws state file|envelope: |format version)/};
	}

	if (!('payload' in envelope)) {
		return {ok: false, fault: /^envelope: payload is missing$/};
	}

	const actual = payloadHash(envelope['payload']);
	if (actual !== sha256) {
		return {ok: false, fault: new RegExp(`^checksum mismatch \\(payload hashes to ${actual.slice(0, 12)}…, envelope says ${sha256.slice(0, 12)}…\\)$`)};
	}

	return {ok: true, data: envelope['payload'], generation};
}

function expectAsReference(text: string): void {
	const expected = reference(text);
	const verified = verifyEnvelopeText(text, anything);
	if (expected.ok) {
		expect(verified).toMatchObject({ok: true, data: expected.data, generation: expected.generation});
	} else {
		expect(verified.ok ? 'verified' : verified.fault).toMatch(expected.fault);
	}
}

/** Payloads whose text could confuse a reader that looks for the payload's line. */
const tricky: unknown[] = [
	{projects: {}},
	{},
	[],
	null,
	0,
	'x',
	{text: '\n\t"payload": {"n": 1}\n}\n', quoted: '"payload": "', backslash: '\\n\\t\\"', brace: '}', newline: '\n}'},
	{'\n\t"payload": ': ['\n\t"payload": ', {'"': '"\\"'}], '': ''},
	{unicode: 'ü ✓ 😀 \u2028\u2029 \u00A0', lone: '\uD800 \uDFFF', controls: '\u0000\u0001\u001F\u007F\u009B', tab: '\t', cr: '\r\n'},
	{numbers: [1e21, -0, 0.1, -1.5e-7, 9_007_199_254_740_991, 123_456_789.123_456_79], flags: [true, false, null]},
	{__proto__: null, nested: {a: [[[]], {}], b: {c: {d: 'e'}}}, '10': 'numeric key', '2': 'ordered first'},
];

describe('state file layout', () => {
	it('writes the header fields one per line and the payload as its compact JSON on the last field line', () => {
		const payload = {projects: {a: {stage: 'active', notes: ['x\ny']}}};
		const text = encodeEnvelope(payload, {version: 3, generation: 12});
		const compact = JSON.stringify(payload);
		expect(text).toBe(`{\n\t"format": "cws-state",\n\t"version": 3,\n\t"generation": 12,\n\t"sha256": "${payloadHash(payload)}",\n\t"payload": ${compact}\n}\n`);
		expect(JSON.parse(text)).toEqual({format: 'cws-state', version: 3, generation: 12, sha256: payloadHash(payload), payload});
		expect(sniffGeneration(text)).toBe(12);
		expect(text.split('\n')).toHaveLength(8);
	});

	it('finds the generation in the header whatever the size of the payload', () => {
		const text = encodeEnvelope({items: Array.from({length: 5000}, (_, i) => `item ${i}`)}, {version: 1, generation: 123_456_789});
		expect(sniffGeneration(text)).toBe(123_456_789);
		expect(sniffGeneration(text.slice(0, 120))).toBe(123_456_789);
	});

	it('refuses a payload without a JSON form, as before', () => {
		expect(() => encodeEnvelope(undefined, {version: 1, generation: 1})).toThrow(TypeError);
	});
});

describe('reading state files', () => {
	it('a file in this layout verifies without encoding its payload again', () => {
		const payload = {projects: Object.fromEntries(Array.from({length: 50}, (_, i) => [`p${i}`, {stage: 'active', n: i}]))};
		const text = encodeEnvelope(payload, {version: 1, generation: 4});
		const stringify = vi.spyOn(JSON, 'stringify');
		try {
			const verified = verifyEnvelopeText(text, anything);
			expect(stringify).not.toHaveBeenCalled();
			expect(verified).toEqual({ok: true, data: payload, generation: 4, version: 1, payload: JSON.stringify(payload)});
		} finally {
			stringify.mockRestore();
		}
	});

	it('both layouts of the same payload give the same data, generation, version and payload text', () => {
		for (const payload of tricky) {
			const compact = encodeEnvelope(payload, {version: 1, generation: 9});
			expect(compact.split('\n')).toHaveLength(8);
			for (const text of [compact, compact.slice(0, -1), indentedFile(payload, 9), indentedFile(payload, 9).slice(0, -1)]) {
				expect(verifyEnvelopeText(text, anything)).toEqual({ok: true, data: JSON.parse(JSON.stringify(payload)), generation: 9, version: 1, payload: JSON.stringify(payload)});
			}
		}
	});

	it('an older file with its payload indented still verifies, and a changed byte in it reports the same checksum fault as before', () => {
		const payload = {projects: {alpha: {stage: 'sandbox', description: 'first'}}};
		const old = indentedFile(payload, 30);
		expect(verifyEnvelopeText(old, anything)).toMatchObject({ok: true, data: payload, generation: 30});
		const damaged = old.replace('"first"', '"firsu"');
		const changed = {projects: {alpha: {stage: 'sandbox', description: 'firsu'}}};
		expect(verifyEnvelopeText(damaged, anything)).toEqual({
			ok: false, generation: 30,
			fault: `checksum mismatch (payload hashes to ${payloadHash(changed).slice(0, 12)}…, envelope says ${payloadHash(payload).slice(0, 12)}…)`,
		});
	});

	it('a byte of the payload changed in a file of this layout is a checksum mismatch naming the hash of what was read', () => {
		const payload = {projects: {alpha: {stage: 'sandbox', count: 17}}};
		const text = encodeEnvelope(payload, {version: 1, generation: 8});
		const damaged = text.replace('17', '18');
		expect(verifyEnvelopeText(damaged, anything)).toEqual({
			ok: false, generation: 8,
			fault: `checksum mismatch (payload hashes to ${payloadHash({projects: {alpha: {stage: 'sandbox', count: 18}}}).slice(0, 12)}…, envelope says ${payloadHash(payload).slice(0, 12)}…)`,
		});
	});

	it('every single-bit change anywhere in a file gets the outcome whole-file verification gives', () => {
		const text = encodeEnvelope({projects: {a: {stage: 'active', n: 1e21, note: 'ü "q" \\'}}, list: [1, 2.5, true, null]}, {version: 1, generation: 5});
		for (let index = 0; index < text.length; index++) {
			for (const bit of [0x01, 0x02, 0x20]) {
				const flipped = text.slice(0, index) + String.fromCharCode(text.charCodeAt(index) ^ bit) + text.slice(index + 1);
				expectAsReference(flipped);
			}
		}
	});

	it('a torn file of this layout is reported as truncated, with its generation once the header is complete', () => {
		const text = encodeEnvelope({items: Array.from({length: 40}, (_, i) => `item ${i}`)}, {version: 1, generation: 61});
		const headerEnd = text.indexOf('"generation": 61,') + '"generation": 61,'.length;
		for (let length = 1; length < text.length - 1; length += 7) {
			const verified = verifyEnvelopeText(text.slice(0, length), anything);
			expect(verified).toMatchObject({ok: false, fault: expect.stringMatching(/^truncated or not JSON \(/) as string});
			if (length >= headerEnd) {
				expect(verified).toMatchObject({generation: 61});
			}
		}
	});

	it('crafted files with a second payload key get the outcome whole-file verification gives', () => {
		const a = '{"n":1}';
		const b = '{"n":2}';
		const crafted = [
			// Both keys on lines of their own: two markers, the file is read whole (the later key wins).
			compactFile(`${a},\n\t"payload": ${b}`, 3, sha(a)),
			compactFile(`${a},\n\t"payload": ${b}`, 3, sha(b)),
			// Both on the last line, the sha256 covering the whole line, the first value or the last one.
			compactFile(`${a}, "payload": ${b}`, 3, hashText(`${a}, "payload": ${b}`)),
			compactFile(`${a}, "payload": ${b}`, 3, sha(a)),
			compactFile(`${a}, "payload": ${b}`, 3, sha(b)),
			// Another member after the payload on its line.
			compactFile(`${a}, "generation": 99`, 3, hashText(`${a}, "generation": 99`)),
			compactFile(`${a}, "generation": 99`, 3, sha(a)),
			// A payload key in the header, before the last line's.
			compactFile(a, 3, sha(a)).replace('\t"version"', '\t"payload": {"n":0}, "version"'),
			compactFile(a, 3, sha(a)).replace('\n\t"version"', '\n\t"payload": {"n":0},\n\t"version"'),
			// The last line is not where the object ends.
			compactFile(a, 3, sha(a)).replace('\n}\n', '\n}\n\n'),
			compactFile(a, 3, sha(a)).replace('\n}\n', '}\n'),
			compactFile('', 3, hashText('')),
			compactFile(`${a}\t`, 3, sha(a)),
		];
		for (const text of crafted) {
			expectAsReference(text);
		}

		// The later key is the payload, as any JSON reader takes it; nothing of the first is returned.
		expect(verifyEnvelopeText(crafted[4]!, anything)).toMatchObject({ok: true, data: {n: 2}, payload: b});
		expect(verifyEnvelopeText(crafted[2]!, anything)).toMatchObject({ok: false, fault: expect.stringMatching(/^checksum mismatch/) as string});
		expect(verifyEnvelopeText(crafted[5]!, anything)).toMatchObject({ok: false, generation: 99});
	});

	it('a payload line in another JSON spelling whose own bytes the recorded sha256 covers is read as written', () => {
		// No cws writes such a line and no damage makes one (the sha256 would have to
		// match the changed bytes); only someone writing the file on purpose does, and
		// they could as well record the sha256 of the usual spelling.
		for (const line of ['{"n": 1}', '{"n":1}\t', '{"n":1.0}', '{"n":"\\u0031"}']) {
			expect(verifyEnvelopeText(compactFile(line, 2, hashText(line)), anything)).toEqual({ok: true, data: JSON.parse(line), generation: 2, version: 1, payload: line});
		}
	});
});

describe('the store with this layout', () => {
	it('reads a file an older cws wrote and writes the next generation in this layout, backup included', async () => {
		const meta = path.join(await temps.create(), '.cws');
		await mkdir(meta, {mode: 0o700});
		await atomicWriteFile(path.join(meta, 'counter.json'), indentedFile({n: 41}, 6));
		const store = new Store(meta);
		expect(await store.read(counterSpec)).toEqual({data: {n: 41}, generation: 6});
		expect(await store.update(counterSpec, current => ({n: current.n + 1}))).toEqual({data: {n: 42}, generation: 7});
		const written = await readFile(path.join(meta, 'counter.json'), 'utf8');
		expect(written).toBe(encodeEnvelope({n: 42}, {version: 1, generation: 7}));
		const backups = await readdir(path.join(meta, 'backups', 'counter.json'));
		expect(await readFile(path.join(meta, 'backups', 'counter.json', backups.sort().at(-1)!), 'utf8')).toBe(written);
		expect(await new Store(meta).read(counterSpec)).toEqual({data: {n: 42}, generation: 7});
		expect(await store.read(counterSpec)).toEqual({data: {n: 42}, generation: 7});
		expect(await new Store(meta).inspect(counterSpec)).toMatchObject({status: 'ok', generation: 7});
	});
});

function hashText(text: string): string {
	// payloadHash of a string hashes its JSON (quoted); crafted lines need the hash of the bytes themselves.
	return createHash('sha256').update(text).digest('hex');
}
