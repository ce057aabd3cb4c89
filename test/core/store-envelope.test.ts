import {describe, expect, it} from 'vitest';
import {encodeEnvelope, payloadHash, SchemaError, sniffGeneration, verifyEnvelope, type EnvelopeSpec} from '../../source/core/envelope.js';

type Doc = {items: string[]};
const spec: EnvelopeSpec<Doc> = {
	version: 2,
	parse(payload) {
		const items = (payload as Partial<Doc>)?.items;
		if (!Array.isArray(items) || !items.every(item => typeof item === 'string')) {
			throw new SchemaError('items: expected a list of text');
		}

		return {items};
	},
};

function fault(text: string | Buffer, withSpec: EnvelopeSpec<Doc> = spec): string | undefined {
	const verified = verifyEnvelope(text, withSpec);
	return verified.ok ? undefined : verified.fault;
}

describe('state file envelope', () => {
	it('round-trips a payload with its version, generation and checksum', () => {
		const text = encodeEnvelope({items: ['a', 'ü', '"q"']}, {version: 2, generation: 41});
		const parsed = JSON.parse(text) as Record<string, unknown>;
		expect(Object.keys(parsed)).toEqual(['format', 'version', 'generation', 'sha256', 'payload']);
		expect(parsed['sha256']).toBe(payloadHash({items: ['a', 'ü', '"q"']}));
		expect(verifyEnvelope(text, spec)).toEqual({ok: true, data: {items: ['a', 'ü', '"q"']}, generation: 41, version: 2});
		expect(sniffGeneration(text)).toBe(41);
	});

	it('given the compact JSON of its payload, writes the same bytes as without it', () => {
		const payload = {items: ['a', 'ü', '"q"', 'x'.repeat(1000)]};
		expect(encodeEnvelope(payload, {version: 2, generation: 7}, JSON.stringify(payload))).toBe(encodeEnvelope(payload, {version: 2, generation: 7}));
	});

	it('the checksum covers the payload, not the layout of the file', () => {
		const compact = JSON.stringify(JSON.parse(encodeEnvelope({items: ['x']}, {version: 2, generation: 1})));
		expect(verifyEnvelope(compact, spec).ok).toBe(true);
	});

	it('names each fault precisely', () => {
		const good = encodeEnvelope({items: ['x']}, {version: 2, generation: 3});
		const envelope = JSON.parse(good) as Record<string, unknown>;
		const edited = (changes: Record<string, unknown>) => JSON.stringify({...envelope, ...changes});
		expect(fault('')).toBe('empty file');
		expect(fault('  \n')).toBe('file holds only blank space');
		expect(fault(good.slice(0, 40))).toMatch(/^truncated or not JSON \(/);
		expect(fault(Buffer.from([0xFF, 0xFE, 0x00]))).toMatch(/^truncated or not JSON/);
		expect(fault('[1,2]')).toBe('not a cws state file (the JSON is not an object)');
		expect(fault('{"items":[]}')).toBe('not a cws state file (format is null, expected "cws-state")');
		expect(fault(edited({generation: -1}))).toBe('envelope: generation is missing or not a whole number');
		expect(fault(edited({version: 9}))).toBe('format version 9 is newer than this cws understands (2)');
		expect(fault(edited({sha256: 'abc'}))).toBe('envelope: sha256 is missing or malformed');
		expect(fault(edited({payload: {items: ['y']}}))).toMatch(/^checksum mismatch \(payload hashes to [0-9a-f]{12}…, envelope says [0-9a-f]{12}…\)$/);
		const wrongShape = {items: [1]};
		expect(fault(edited({payload: wrongShape, sha256: payloadHash(wrongShape)}))).toBe('schema: items: expected a list of text');
	});

	it('a file that is not JSON gives a one-line fault with its control characters made visible', () => {
		const text = fault('garbage\n\u001B]0;x\u0007\u009B2J');
		expect(text).toMatch(/^truncated or not JSON \(.*garbage\\n\\u001b\]/);
		expect(text).not.toMatch(/[\u0000-\u001F\u007F-\u009F]/);
		expect(fault('x\u009B\u0007')).toContain('x\\u009b\\u0007');
	});

	it('a torn file still reveals its generation when the header survived', () => {
		const good = encodeEnvelope({items: ['x'.repeat(1000)]}, {version: 2, generation: 77});
		const verified = verifyEnvelope(good.slice(0, 300), spec);
		expect(verified).toMatchObject({ok: false, generation: 77});
	});

	it('older payload versions go through migrate when the spec has one', () => {
		const old = encodeEnvelope({list: 'a,b'}, {version: 1, generation: 5});
		const migrating: EnvelopeSpec<Doc> = {
			...spec,
			migrate: (payload, from) => (from === 1 ? {items: String((payload as {list: string}).list).split(',')} : payload),
		};
		expect(verifyEnvelope(old, migrating)).toMatchObject({ok: true, data: {items: ['a', 'b']}, version: 1});
		expect(fault(old)).toBe('schema: items: expected a list of text');
	});

	it('a bug in parse (not a SchemaError) is thrown, not reported as damage', () => {
		const buggy: EnvelopeSpec<Doc> = {version: 2, parse: () => {
			throw new TypeError('oops');
		}};
		expect(() => verifyEnvelope(encodeEnvelope({items: []}, {version: 2, generation: 1}), buggy)).toThrow(TypeError);
	});
});
