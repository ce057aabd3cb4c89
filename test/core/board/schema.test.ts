import {describe, expect, it} from 'vitest';
import type {BoardState} from '../../../source/core/board/model.js';
import {parseBoardState} from '../../../source/core/board/schema.js';
import {SchemaError} from '../../../source/core/store.js';
import {parseBoardState as parseCopying} from './reference/schema-copying.js';
import {prng} from '../../helpers/prng.js';

type Json = null | boolean | number | string | Json[] | {[key: string]: Json};
type JsonObject = {[key: string]: Json};

const AT = '2026-11-26T09:02:01.357Z';
const LATER = '2026-11-27T10:00:00.000Z';

/** A record with every field, as cws writes it. */
function fullRecord(to = 'sandbox', extra: JsonObject = {}): JsonObject {
	return {
		model: 'open-source',
		description: 'a tool',
		created: AT,
		history: [
			{from: null, to: 'sandbox', at: AT, reason: 'created', forced: false, by: 'cli'},
			{from: 'sandbox', to, at: LATER, reason: 'promoted', forced: true, failedGates: ['license', 'remote']},
		],
		notes: [{at: LATER, text: 'ship it'}],
		...extra,
	};
}

/** A state with every field everywhere, unknown keys included. */
function fullState(): JsonObject {
	return {
		projects: {'api': fullRecord('active', {owner: 'ops'}), 'web.v2': fullRecord(), '42': fullRecord('stable')},
		pending: {id: 'm1', kind: 'move', name: 'api', from: 'sandbox', to: 'active', fromPath: 'sandbox/api', toPath: 'active/api', at: AT, reason: 'promote', forced: false, extra: 1},
		trash: [{name: 'old', folder: '.cws/trash/old-1', at: AT, from: 'sandbox', record: fullRecord(), why: 'kept'}],
		marker: 'newer cws',
	};
}

function historyOf(record: Json): JsonObject[] {
	return (record as JsonObject)['history'] as JsonObject[];
}

/** Freezes a value and everything in it: a parse that wrote to its input would throw. */
function deepFreeze<T>(value: T): T {
	if (typeof value === 'object' && value !== null) {
		for (const inner of Object.values(value)) deepFreeze(inner);
		Object.freeze(value);
	}

	return value;
}

/** What a parse makes of `payload`: its data as JSON text (key order included), or its SchemaError message. */
function outcome(parse: (payload: unknown) => BoardState, payload: Json): {json?: string; error?: string} {
	try {
		return {json: JSON.stringify(parse(deepFreeze(structuredClone(payload))))};
	} catch (error) {
		if (error instanceof SchemaError) return {error: error.message};
		throw error;
	}
}

function messageOf(payload: Json): string | undefined {
	return outcome(parseBoardState, payload).error;
}

/** Every object and list in `value` with its path of keys. */
function containers(value: Json, path: Array<string | number> = []): Array<{path: Array<string | number>; value: JsonObject | Json[]}> {
	if (typeof value !== 'object' || value === null) return [];
	const found: Array<{path: Array<string | number>; value: JsonObject | Json[]}> = [{path, value}];
	const entries: Array<[string | number, Json]> = Array.isArray(value) ? value.map((item, index) => [index, item]) : Object.entries(value);
	for (const [key, inner] of entries) found.push(...containers(inner, [...path, key]));
	return found;
}

describe('parseBoardState', () => {
	it('returns a complete state as it is, the same objects all the way down', () => {
		const payload = deepFreeze(fullState()) as JsonObject;
		const state = parseBoardState(payload);
		expect(state).toBe(payload);
		const projects = payload['projects'] as JsonObject;
		expect(state.projects).toBe(projects);
		expect(state.projects['api']).toBe(projects['api']);
		expect(state.projects['api']!.history[1]).toBe(historyOf(projects['api']!)[1]);
		expect(state.projects['api']!.notes).toBe((projects['api'] as JsonObject)['notes']);
		expect(state.pending).toBe(payload['pending']);
		expect(state.trash).toBe(payload['trash']);
		expect(outcome(parseBoardState, fullState())).toEqual(outcome(parseCopying, fullState()));
	});

	it('fills every default into a copy, keeps unknown keys and the order of keys, and leaves the input untouched', () => {
		const payload: JsonObject = {
			projects: {
				bare: {model: 'hybrid', created: AT, owner: 'ops'},
				nulls: {model: 'commercial', description: null, created: AT, history: null, notes: null},
				entry: {model: 'open-source', created: AT, description: '', notes: [], history: [{to: 'active', at: AT, tag: 'x'}, {from: null, to: 'stable', at: LATER, reason: null, forced: null}]},
			},
			trash: [{name: 'old', folder: null, at: AT, record: {model: 'hybrid', created: AT}, why: 'kept'}],
			pending: {id: 'm1', kind: 'trash', name: 'old', from: 'sandbox', to: 'trash', fromPath: 'sandbox/old', toPath: '.cws/trash/old-1', at: AT},
			marker: 'newer cws',
		};
		const before = structuredClone(payload);
		const state = parseBoardState(deepFreeze(payload));
		expect(payload).toEqual(before);
		expect(state.projects['bare']).toEqual({model: 'hybrid', created: AT, owner: 'ops', description: '', history: [], notes: []});
		expect(Object.keys(state.projects['bare']!)).toEqual(['model', 'created', 'owner', 'description', 'history', 'notes']);
		expect(state.projects['nulls']).toEqual({model: 'commercial', description: '', created: AT, history: [], notes: []});
		expect(state.projects['entry']!.history).toEqual([
			{to: 'active', at: AT, tag: 'x', from: null, reason: '', forced: false},
			{from: null, to: 'stable', at: LATER, reason: '', forced: false},
		]);
		expect(state.trash[0]).toEqual({name: 'old', folder: null, at: AT, record: {model: 'hybrid', created: AT, description: '', history: [], notes: []}, why: 'kept', from: null});
		expect(state.pending).toMatchObject({reason: '', forced: false, kind: 'trash'});
		expect((state as BoardState & {marker: string}).marker).toBe('newer cws');
		expect(parseBoardState(deepFreeze({}))).toEqual({projects: {}, pending: null, trash: []});
		for (const variant of [payload, {}, {projects: null, trash: null, pending: null}]) {
			expect(outcome(parseBoardState, variant)).toEqual(outcome(parseCopying, variant));
		}
	});

	it('copies only what needs a default: the other records and entries stay the objects they were', () => {
		const payload = deepFreeze({
			projects: {a: fullRecord(), b: {...fullRecord(), history: [historyOf(fullRecord())[0]!, {to: 'active', at: LATER}]}, c: fullRecord()},
			pending: null,
			trash: [],
		} as JsonObject);
		const projects = payload['projects'] as Record<string, JsonObject>;
		const state = parseBoardState(payload);
		expect(state).not.toBe(payload);
		expect(state.projects).not.toBe(projects);
		expect(Object.keys(state.projects)).toEqual(['a', 'b', 'c']);
		expect(state.projects['a']).toBe(projects['a']);
		expect(state.projects['c']).toBe(projects['c']);
		const b = state.projects['b']!;
		expect(b).not.toBe(projects['b']);
		expect(b.notes).toBe(projects['b']!['notes']);
		expect(b.history[0]).toBe(historyOf(projects['b']!)[0]);
		expect(b.history[1]).toEqual({to: 'active', at: LATER, from: null, reason: '', forced: false});
		expect(state.trash).toBe(payload['trash']);
	});

	it('names the field of every fault, with the same words as before', () => {
		const withRecord = (change: (record: JsonObject) => void): JsonObject => {
			const record = fullRecord();
			change(record);
			return {projects: {api: record}};
		};

		const entry = (change: (entry: JsonObject) => void) => withRecord(record => change((record['history'] as JsonObject[])[1]!));
		const trashItem = (change: (item: JsonObject) => void): JsonObject => {
			const state = fullState();
			change((state['trash'] as JsonObject[])[0]!);
			return state;
		};

		const intent = (change: (intent: JsonObject) => void): JsonObject => {
			const state = fullState();
			change(state['pending'] as JsonObject);
			return state;
		};

		const cases: Array<[Json, string]> = [
			[[], 'state: expected an object'],
			[{projects: []}, 'projects: expected an object'],
			[{projects: {'Bad Name': fullRecord()}}, 'projects: "Bad Name" is not a valid project name'],
			[{projects: {api: 'x'}}, 'projects.api: expected an object'],
			[withRecord(record => delete record['model']), 'projects.api.model: expected one of open-source, commercial, hybrid'],
			[withRecord(record => record['description'] = 3), 'projects.api.description: expected text'],
			[withRecord(record => delete record['created']), 'projects.api.created: expected text'],
			[withRecord(record => record['created'] = ''), 'projects.api.created: "" is not a date'],
			[withRecord(record => record['created'] = 'yesterday'), 'projects.api.created: "yesterday" is not a date'],
			[withRecord(record => record['history'] = {}), 'projects.api.history: expected a list'],
			[entry(item => item['from'] = 'attic'), 'projects.api.history[1].from: expected one of sandbox, active, stable, public, archive'],
			[withRecord(record => (record['history'] as Json[])[1] = null), 'projects.api.history[1]: expected an object'],
			[entry(item => delete item['to']), 'projects.api.history[1].to: expected one of sandbox, active, stable, public, archive'],
			[entry(item => item['at'] = 5), 'projects.api.history[1].at: expected text'],
			[entry(item => item['at'] = '2026-13-45'), 'projects.api.history[1].at: "2026-13-45" is not a date'],
			[entry(item => item['reason'] = false), 'projects.api.history[1].reason: expected text'],
			[entry(item => item['forced'] = 'yes'), 'projects.api.history[1].forced: expected true or false'],
			[entry(item => item['failedGates'] = 'license'), 'projects.api.history[1].failedGates: expected a list'],
			[entry(item => item['failedGates'] = ['license', 7]), 'projects.api.history[1].failedGates[1]: expected text'],
			[withRecord(record => record['notes'] = 'n'), 'projects.api.notes: expected a list'],
			[withRecord(record => record['notes'] = [{at: AT, text: 'ok'}, []]), 'projects.api.notes[1]: expected an object'],
			[withRecord(record => record['notes'] = [{at: 'soon', text: 'x'}]), 'projects.api.notes[0].at: "soon" is not a date'],
			[withRecord(record => record['notes'] = [{at: AT}]), 'projects.api.notes[0].text: expected text'],
			[{...fullState(), trash: {}}, 'trash: expected a list'],
			[{...fullState(), trash: [7]}, 'trash[0]: expected an object'],
			[trashItem(item => delete item['name']), 'trash[0].name: expected text'],
			[trashItem(item => item['folder'] = '../outside'), 'trash[0].folder: "../outside" is not a path inside the workspace'],
			[trashItem(item => item['at'] = 'never'), 'trash[0].at: "never" is not a date'],
			[trashItem(item => item['from'] = 'trash'), 'trash[0].from: expected one of sandbox, active, stable, public, archive'],
			[trashItem(item => delete item['record']), 'trash[0].record: expected an object'],
			[trashItem(item => (item['record'] as JsonObject)['model'] = 'free'), 'trash[0].record.model: expected one of open-source, commercial, hybrid'],
			[trashItem(item => ((item['record'] as JsonObject)['history'] as JsonObject[])[0]!['to'] = 'x'), 'trash[0].record.history[0].to: expected one of sandbox, active, stable, public, archive'],
			[{...fullState(), pending: 'x'}, 'pending: expected an object'],
			[intent(item => item['name'] = 'Bad'), 'pending.name: "Bad" is not a valid project name'],
			[intent(item => delete item['name']), 'pending.name: expected text'],
			[intent(item => delete item['id']), 'pending.id: expected text'],
			[intent(item => item['kind'] = 'copy'), 'pending.kind: expected one of move, archive, restore, trash'],
			[intent(item => item['from'] = 'trash'), 'pending.from: expected one of sandbox, active, stable, public, archive'],
			[intent(item => item['to'] = 'attic'), 'pending.to: expected one of sandbox, active, stable, public, archive, trash'],
			[intent(item => item['fromPath'] = '/etc'), 'pending.fromPath: "/etc" is not a path inside the workspace'],
			[intent(item => item['toPath'] = 'a//b'), 'pending.toPath: "a//b" is not a path inside the workspace'],
			[intent(item => item['at'] = 'now'), 'pending.at: "now" is not a date'],
			[intent(item => item['reason'] = 1), 'pending.reason: expected text'],
			[intent(item => item['forced'] = 0), 'pending.forced: expected true or false'],
		];
		for (const [payload, message] of cases) {
			expect({payload, error: messageOf(payload)}).toEqual({payload, error: message});
			expect(outcome(parseCopying, payload).error).toBe(message);
		}
	});

	it('agrees with the copying parser on 3,000 damaged or incomplete states: same data, same key order, same message', () => {
		const next = prng(7);
		const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
		const values: Json[] = [null, 0, 1.5, true, false, '', 'text', 'nope', AT, 'sandbox', 'archive', 'trash', 'open-source', 'sandbox/x', '../x', [], ['a'], [1], {}, {at: AT, text: 't'}];
		// A fresh copy each time: a list pushed into itself would make a cycle.
		const value = (): Json => structuredClone(pick(values));
		let faults = 0;
		for (let round = 0; round < 3000; round++) {
			const payload = fullState();
			for (let changes = 1 + Math.floor(next() * 3); changes > 0; changes--) {
				const target = pick(containers(payload));
				if (Array.isArray(target.value)) {
					if (target.value.length > 0 && next() < 0.5) target.value[Math.floor(next() * target.value.length)] = value();
					else target.value.push(value());
					continue;
				}

				const keys = Object.keys(target.value);
				const key = keys.length > 0 && next() < 0.8 ? pick(keys) : pick(['from', 'reason', 'forced', 'description', 'notes', 'Bad Key', 'failedGates']);
				if (next() < 0.4) delete target.value[key];
				else target.value[key] = value();
			}

			const mine = outcome(parseBoardState, payload);
			expect({payload, ...mine}).toEqual({payload, ...outcome(parseCopying, payload)});
			if (mine.error !== undefined) faults++;
		}

		// Both kinds were exercised: faults and states that parse (with defaults filled in).
		expect(faults).toBeGreaterThan(300);
		expect(faults).toBeLessThan(2900);
	});

	it('parses a state of 10,000 projects to the same data as the copying parser, keeping every complete record', () => {
		const next = prng(11);
		const stages = ['sandbox', 'active', 'stable', 'public'] as const;
		const projects: JsonObject = {};
		for (let index = 0; index < 10_000; index++) {
			const stage = stages[index % 4]!;
			const created = new Date(Date.UTC(2025, 0, 1) + Math.floor(next() * 3e10)).toISOString();
			const history: JsonObject[] = [{from: null, to: 'sandbox', at: created, reason: 'created', forced: false}];
			if (stage !== 'sandbox') history.push({from: 'sandbox', to: stage, at: LATER, reason: 'promoted', forced: next() < 0.1, ...(next() < 0.1 ? {failedGates: ['tests']} : {})});
			const record: JsonObject = {
				model: pick(['open-source', 'commercial', 'hybrid']),
				description: next() < 0.5 ? '' : `project ${index}`,
				created,
				history,
				notes: next() < 0.2 ? [{at: LATER, text: `note ${index}`}] : [],
			};
			// One in a few hundred comes from an older or hand-edited file: a default to fill in.
			if (index % 337 === 0) delete record['description'];
			if (index % 501 === 0) delete history[0]!['forced'];
			projects[`${stage.slice(0, 2)}-${String(index).padStart(5, '0')}`] = record;
		}

		const payload = {projects, pending: null, trash: []};
		const text = JSON.stringify(payload);
		const mine = parseBoardState(JSON.parse(text));
		expect(JSON.stringify(mine)).toBe(JSON.stringify(parseCopying(JSON.parse(text))));
		const fresh = JSON.parse(text) as {projects: JsonObject};
		const parsed = parseBoardState(fresh);
		const kept = Object.keys(fresh.projects).filter(name => parsed.projects[name] === fresh.projects[name]);
		const copied = Object.keys(fresh.projects).length - kept.length;
		// Only the records that needed a default were copied.
		expect(copied).toBe(Object.keys(fresh.projects).filter((_, index) => index % 337 === 0 || index % 501 === 0).length);

		function pick<T>(items: readonly T[]): T {
			return items[Math.floor(next() * items.length)]!;
		}
	});
});
