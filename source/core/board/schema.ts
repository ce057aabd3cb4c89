import {SchemaError, type StateSpec} from '../store.js';
import {isValidProjectName} from './names.js';
import {
	BUSINESS_MODELS, LOCATIONS, MOVE_KINDS, emptyBoardState,
	type BoardState, type HistoryEntry, type MoveIntent, type ProjectNote, type ProjectRecord, type TrashRecord,
} from './model.js';

/**
 * .cws/state.json: project metadata. Unknown keys are kept so that a newer
 * cws writing extra fields does not lose them to an older one.
 */
export const boardStateSpec: StateSpec<BoardState> = {
	name: 'state.json',
	version: 1,
	parse: parseBoardState,
	initial: emptyBoardState,
	backups: 10,
};

type Obj = Record<string, unknown>;

/**
 * Validates a state.json payload; throws SchemaError naming the bad field.
 *
 * A state of 10,000 projects is parsed on every cold start, so the payload
 * is checked where it lies: an object that already has every field is
 * returned as it is (the callers hand over a payload fresh from JSON.parse
 * that nobody else holds), and only one that needs a default gets a copy,
 * as do the lists and the objects holding it; the input is never changed.
 * Field paths for a message are spelled out only when something is wrong.
 */
export function parseBoardState(payload: unknown): BoardState {
	const root = object(payload, 'state');
	const projects = parseProjects(root['projects']);
	const pending = root['pending'] === undefined || root['pending'] === null ? null : parseIntent(root['pending'], 'pending');
	const trash = parseTrashList(root['trash']);
	if (projects === root['projects'] && pending === root['pending'] && trash === root['trash']) {
		return root as BoardState;
	}

	return {...root, projects, pending, trash};
}

function parseProjects(value: unknown): Record<string, ProjectRecord> {
	const given = object(value ?? {}, 'projects');
	// The given object while no record needed a copy; from the first that did, a new one.
	let projects: Obj | undefined = value === given ? undefined : given;
	const names = Object.keys(given);
	for (let index = 0; index < names.length; index++) {
		const name = names[index]!;
		if (!isValidProjectName(name)) {
			fail(`projects: ${JSON.stringify(name)} is not a valid project name`);
		}

		const record = given[name];
		const parsed = parseRecord(record, 'projects.', name);
		if (projects === undefined && parsed !== record) {
			projects = {};
			for (let kept = 0; kept < index; kept++) {
				projects[names[kept]!] = given[names[kept]!];
			}
		}

		if (projects !== undefined) {
			projects[name] = parsed;
		}
	}

	return (projects ?? given) as Record<string, ProjectRecord>;
}

/** A record, checked where it lies; its path in a message is `${prefix}${name}`. */
function parseRecord(value: unknown, prefix: string, name: string): ProjectRecord {
	if (!isObject(value)) {
		fail(`${prefix}${name}: expected an object`);
	}

	const record = value;
	if (!isOneOf(record['model'], BUSINESS_MODELS)) {
		fail(`${prefix}${name}.model: ${oneOfProblem(BUSINESS_MODELS)}`);
	}

	const description = record['description'] ?? '';
	if (typeof description !== 'string') {
		fail(`${prefix}${name}.description: expected text`);
	}

	const createdProblem = timeProblem(record['created']);
	if (createdProblem !== undefined) {
		fail(`${prefix}${name}.created: ${createdProblem}`);
	}

	const history = parseHistoryList(record['history'], prefix, name);
	const notes = parseNotes(record['notes'], prefix, name);
	if (description === record['description'] && history === record['history'] && notes === record['notes']) {
		return record as ProjectRecord;
	}

	// Assigned in the order the fields are listed, so that a filled-in field lands where it always did.
	const copy: Obj = {...record};
	copy['description'] = description;
	copy['history'] = history;
	copy['notes'] = notes;
	return copy as ProjectRecord;
}

function parseHistoryList(value: unknown, prefix: string, name: string): HistoryEntry[] {
	if (value === undefined || value === null) {
		return [];
	}

	if (!Array.isArray(value)) {
		fail(`${prefix}${name}.history: expected a list`);
	}

	let entries: unknown[] | undefined;
	for (let index = 0; index < value.length; index++) {
		const entry: unknown = value[index];
		const parsed = parseHistory(entry, prefix, name, index);
		if (entries === undefined && parsed !== entry) {
			entries = value.slice(0, index);
		}

		entries?.push(parsed);
	}

	return (entries ?? value) as HistoryEntry[];
}

function parseHistory(value: unknown, prefix: string, name: string, index: number): HistoryEntry {
	if (!isObject(value)) {
		fail(`${historyPath(prefix, name, index)}: expected an object`);
	}

	const entry = value;
	const from = entry['from'];
	if (from !== null && from !== undefined && !isOneOf(from, LOCATIONS)) {
		fail(`${historyPath(prefix, name, index)}.from: ${oneOfProblem(LOCATIONS)}`);
	}

	if (!isOneOf(entry['to'], LOCATIONS)) {
		fail(`${historyPath(prefix, name, index)}.to: ${oneOfProblem(LOCATIONS)}`);
	}

	const atProblem = timeProblem(entry['at']);
	if (atProblem !== undefined) {
		fail(`${historyPath(prefix, name, index)}.at: ${atProblem}`);
	}

	const reason = entry['reason'] ?? '';
	if (typeof reason !== 'string') {
		fail(`${historyPath(prefix, name, index)}.reason: expected text`);
	}

	const forced = entry['forced'] ?? false;
	if (typeof forced !== 'boolean') {
		fail(`${historyPath(prefix, name, index)}.forced: expected true or false`);
	}

	const gates = entry['failedGates'];
	if (gates !== undefined) {
		if (!Array.isArray(gates)) {
			fail(`${historyPath(prefix, name, index)}.failedGates: expected a list`);
		}

		for (let gate = 0; gate < gates.length; gate++) {
			if (typeof gates[gate] !== 'string') {
				fail(`${historyPath(prefix, name, index)}.failedGates[${gate}]: expected text`);
			}
		}
	}

	if (from !== undefined && reason === entry['reason'] && forced === entry['forced']) {
		return entry as HistoryEntry;
	}

	const copy: Obj = {...entry};
	copy['from'] = from ?? null;
	copy['reason'] = reason;
	copy['forced'] = forced;
	return copy as HistoryEntry;
}

/** A history entry's path, spelled out only for a message (a function per entry would be allocated on every parse). */
function historyPath(prefix: string, name: string, index: number): string {
	return `${prefix}${name}.history[${index}]`;
}

function parseNotes(value: unknown, prefix: string, name: string): ProjectNote[] {
	if (value === undefined || value === null) {
		return [];
	}

	if (!Array.isArray(value)) {
		fail(`${prefix}${name}.notes: expected a list`);
	}

	// A note has no defaults: every valid one is kept as it is.
	for (let index = 0; index < value.length; index++) {
		const note: unknown = value[index];
		if (!isObject(note)) {
			fail(`${prefix}${name}.notes[${index}]: expected an object`);
		}

		const atProblem = timeProblem(note['at']);
		if (atProblem !== undefined) {
			fail(`${prefix}${name}.notes[${index}].at: ${atProblem}`);
		}

		if (typeof note['text'] !== 'string') {
			fail(`${prefix}${name}.notes[${index}].text: expected text`);
		}
	}

	return value as ProjectNote[];
}

function parseIntent(value: unknown, where: string): MoveIntent {
	const intent = object(value, where);
	const name = string(intent['name'], `${where}.name`);
	if (!isValidProjectName(name)) {
		fail(`${where}.name: ${JSON.stringify(name)} is not a valid project name`);
	}

	string(intent['id'], `${where}.id`);
	oneOf(intent['kind'], MOVE_KINDS, `${where}.kind`);
	oneOf(intent['from'], LOCATIONS, `${where}.from`);
	oneOf(intent['to'], [...LOCATIONS, 'trash'] as const, `${where}.to`);
	relativePath(intent['fromPath'], `${where}.fromPath`);
	relativePath(intent['toPath'], `${where}.toPath`);
	time(intent['at'], `${where}.at`);
	const reason = string(intent['reason'] ?? '', `${where}.reason`);
	const forced = boolean(intent['forced'] ?? false, `${where}.forced`);
	if (reason === intent['reason'] && forced === intent['forced']) {
		return intent as MoveIntent;
	}

	return {...intent, reason, forced} as MoveIntent;
}

function parseTrashList(value: unknown): TrashRecord[] {
	const list = array(value ?? [], 'trash');
	let items: unknown[] | undefined = value === list ? undefined : [];
	for (let index = 0; index < list.length; index++) {
		const item: unknown = list[index];
		const parsed = parseTrash(item, `trash[${index}]`);
		if (items === undefined && parsed !== item) {
			items = list.slice(0, index);
		}

		items?.push(parsed);
	}

	return (items ?? list) as TrashRecord[];
}

function parseTrash(value: unknown, where: string): TrashRecord {
	const item = object(value, where);
	string(item['name'], `${where}.name`);
	if (item['folder'] !== null) {
		relativePath(item['folder'], `${where}.folder`);
	}

	time(item['at'], `${where}.at`);
	const from = item['from'];
	if (from !== null && from !== undefined) {
		oneOf(from, LOCATIONS, `${where}.from`);
	}

	const record = parseRecord(item['record'], `${where}.`, 'record');
	if (from !== undefined && record === item['record']) {
		return item as TrashRecord;
	}

	const copy: Obj = {...item};
	copy['from'] = from ?? null;
	copy['record'] = record;
	return copy as TrashRecord;
}

function fail(message: string): never {
	throw new SchemaError(message);
}

function isObject(value: unknown): value is Obj {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isOneOf<T extends string>(value: unknown, allowed: readonly T[]): value is T {
	return typeof value === 'string' && (allowed as readonly string[]).includes(value);
}

function oneOfProblem(allowed: readonly string[]): string {
	return `expected one of ${allowed.join(', ')}`;
}

/**
 * The date last found valid (Date.parse is pure): a record's creation time
 * is usually its first history entry's too, and half of the checks go.
 */
let lastDate = '1970-01-01T00:00:00.000Z';

/** What is wrong with a date field, or undefined when it is a valid date. */
function timeProblem(value: unknown): string | undefined {
	if (typeof value !== 'string') {
		return 'expected text';
	}

	if (value !== lastDate) {
		if (Number.isNaN(Date.parse(value))) {
			return `${JSON.stringify(value)} is not a date`;
		}

		lastDate = value;
	}

	return undefined;
}

function object(value: unknown, where: string): Obj {
	if (!isObject(value)) {
		fail(`${where}: expected an object`);
	}

	return value;
}

function array(value: unknown, where: string): unknown[] {
	if (!Array.isArray(value)) {
		fail(`${where}: expected a list`);
	}

	return value;
}

function string(value: unknown, where: string): string {
	if (typeof value !== 'string') {
		fail(`${where}: expected text`);
	}

	return value;
}

function boolean(value: unknown, where: string): boolean {
	if (typeof value !== 'boolean') {
		fail(`${where}: expected true or false`);
	}

	return value;
}

function time(value: unknown, where: string): string {
	const problem = timeProblem(value);
	if (problem !== undefined) {
		fail(`${where}: ${problem}`);
	}

	return value as string;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], where: string): T {
	if (!isOneOf(value, allowed)) {
		fail(`${where}: ${oneOfProblem(allowed)}`);
	}

	return value;
}

/** A path relative to the workspace root that cannot climb out of it. */
function relativePath(value: unknown, where: string): string {
	const text = string(value, where);
	if (text.startsWith('/') || text.split('/').some(part => part === '..' || part === '') || text.includes('\0')) {
		fail(`${where}: ${JSON.stringify(text)} is not a path inside the workspace`);
	}

	return text;
}
