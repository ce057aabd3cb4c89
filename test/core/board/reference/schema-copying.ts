// The straightforward state validator that copies every object it checks:
// the reference that the in-place parser (source/core/board/schema.ts) must
// agree with, in data, key order and messages.
import {SchemaError} from '../../../../source/core/store.js';
import {isValidProjectName} from '../../../../source/core/board/names.js';
import {
	BUSINESS_MODELS, LOCATIONS, MOVE_KINDS,
	type BoardState, type HistoryEntry, type MoveIntent, type ProjectNote, type ProjectRecord, type TrashRecord,
} from '../../../../source/core/board/model.js';

type Obj = Record<string, unknown>;

/** Validates a state.json payload; throws SchemaError naming the bad field. */
export function parseBoardState(payload: unknown): BoardState {
	const root = object(payload, 'state');
	const projects: Record<string, ProjectRecord> = {};
	for (const [name, value] of Object.entries(object(root['projects'] ?? {}, 'projects'))) {
		if (!isValidProjectName(name)) {
			fail(`projects: ${JSON.stringify(name)} is not a valid project name`);
		}

		projects[name] = parseRecord(value, `projects.${name}`);
	}

	const pending = root['pending'] === undefined || root['pending'] === null ? null : parseIntent(root['pending'], 'pending');
	const trash = array(root['trash'] ?? [], 'trash').map((item, index) => parseTrash(item, `trash[${index}]`));
	return {...root, projects, pending, trash};
}

function parseRecord(value: unknown, where: string): ProjectRecord {
	const record = object(value, where);
	// Field paths are spelled out only for a failure: a state of 10,000 projects is parsed on every cold start.
	return {
		...record,
		model: oneOf(record['model'], BUSINESS_MODELS, where, 'model'),
		description: string(record['description'] ?? '', where, 'description'),
		created: time(record['created'], where, 'created'),
		history: array(record['history'] ?? [], where, 'history').map((item, index) => parseHistory(item, where, index)),
		notes: array(record['notes'] ?? [], where, 'notes').map((item, index) => parseNote(item, where, index)),
	} as ProjectRecord;
}

function parseHistory(value: unknown, record: string, index: number): HistoryEntry {
	const where = (): string => `${record}.history[${index}]`;
	const entry = object(value, where);
	const parsed: HistoryEntry = {
		...entry,
		from: entry['from'] === null || entry['from'] === undefined ? null : oneOf(entry['from'], LOCATIONS, where, 'from'),
		to: oneOf(entry['to'], LOCATIONS, where, 'to'),
		at: time(entry['at'], where, 'at'),
		reason: string(entry['reason'] ?? '', where, 'reason'),
		forced: boolean(entry['forced'] ?? false, where, 'forced'),
	};
	if (entry['failedGates'] !== undefined) {
		parsed.failedGates = array(entry['failedGates'], where, 'failedGates').map((id, gate) => string(id, where, `failedGates[${gate}]`));
	}

	return parsed;
}

function parseNote(value: unknown, record: string, index: number): ProjectNote {
	const where = (): string => `${record}.notes[${index}]`;
	const note = object(value, where);
	return {...note, at: time(note['at'], where, 'at'), text: string(note['text'], where, 'text')};
}

function parseIntent(value: unknown, where: string): MoveIntent {
	const intent = object(value, where);
	const name = string(intent['name'], `${where}.name`);
	if (!isValidProjectName(name)) {
		fail(`${where}.name: ${JSON.stringify(name)} is not a valid project name`);
	}

	return {
		...intent,
		id: string(intent['id'], `${where}.id`),
		kind: oneOf(intent['kind'], MOVE_KINDS, `${where}.kind`),
		name,
		from: oneOf(intent['from'], LOCATIONS, `${where}.from`),
		to: oneOf(intent['to'], [...LOCATIONS, 'trash'] as const, `${where}.to`),
		fromPath: relativePath(intent['fromPath'], `${where}.fromPath`),
		toPath: relativePath(intent['toPath'], `${where}.toPath`),
		at: time(intent['at'], `${where}.at`),
		reason: string(intent['reason'] ?? '', `${where}.reason`),
		forced: boolean(intent['forced'] ?? false, `${where}.forced`),
	} as MoveIntent;
}

function parseTrash(value: unknown, where: string): TrashRecord {
	const item = object(value, where);
	return {
		...item,
		name: string(item['name'], `${where}.name`),
		folder: item['folder'] === null ? null : relativePath(item['folder'], `${where}.folder`),
		at: time(item['at'], `${where}.at`),
		from: item['from'] === null || item['from'] === undefined ? null : oneOf(item['from'], LOCATIONS, `${where}.from`),
		record: parseRecord(item['record'], `${where}.record`),
	} as TrashRecord;
}

function fail(message: string): never {
	throw new SchemaError(message);
}

/**
 * Where a value sits in the state, for a failure's message: a path, or a
 * function giving it (built only when something is wrong), plus the field.
 */
type Where = string | (() => string);

function at(where: Where, field?: string): string {
	const base = typeof where === 'string' ? where : where();
	return field === undefined ? base : `${base}.${field}`;
}

function object(value: unknown, where: Where, field?: string): Obj {
	if (typeof value !== 'object' || value === null || Array.isArray(value)) {
		fail(`${at(where, field)}: expected an object`);
	}

	return value as Obj;
}

function array(value: unknown, where: Where, field?: string): unknown[] {
	if (!Array.isArray(value)) {
		fail(`${at(where, field)}: expected a list`);
	}

	return value;
}

function string(value: unknown, where: Where, field?: string): string {
	if (typeof value !== 'string') {
		fail(`${at(where, field)}: expected text`);
	}

	return value;
}

function boolean(value: unknown, where: Where, field?: string): boolean {
	if (typeof value !== 'boolean') {
		fail(`${at(where, field)}: expected true or false`);
	}

	return value;
}

function time(value: unknown, where: Where, field?: string): string {
	const text = string(value, where, field);
	if (Number.isNaN(Date.parse(text))) {
		fail(`${at(where, field)}: ${JSON.stringify(text)} is not a date`);
	}

	return text;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], where: Where, field?: string): T {
	if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
		fail(`${at(where, field)}: expected one of ${allowed.join(', ')}`);
	}

	return value as T;
}

/** A path relative to the workspace root that cannot climb out of it. */
function relativePath(value: unknown, where: string): string {
	const text = string(value, where);
	if (text.startsWith('/') || text.split('/').some(part => part === '..' || part === '') || text.includes('\0')) {
		fail(`${where}: ${JSON.stringify(text)} is not a path inside the workspace`);
	}

	return text;
}
