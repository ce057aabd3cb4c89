import {readdir, readFile} from 'node:fs/promises';
import path from 'node:path';
import {boardStateSpec} from './board/schema.js';
import {ENVELOPE_FORMAT} from './envelope.js';
import {errnoCode} from './errors.js';
import {readJsonlDetailed} from './jsonl.js';
import type {WorkspacePaths} from './paths.js';
import {whitelistSpec} from './processes/whitelist.js';
import {workspaceConfigSpec} from './queue/config.js';
import {jobSpec} from './queue/jobs.js';
import type {StateSpec, Store} from './store.js';
import type {VerifyIssue} from './verify.js';
import {fsError, kindOf} from './workspace-entries.js';
import {layoutFiles} from './workspace.js';

/**
 * A kind of state file under .cws that `cws verify` checks against its
 * schema. `pattern` is a name relative to .cws ('state.json') or a folder
 * and '*.json' ('queue/*.json'). A module that adds a state file adds its
 * entry here, so verify and repair know the file's schema and backups.
 */
export type StateFileKind = {pattern: string; spec(name: string): StateSpec<unknown>};

/** Every state file kind this cws knows. */
export const STATE_FILE_KINDS: StateFileKind[] = [
	{pattern: 'state.json', spec: () => boardStateSpec as StateSpec<unknown>},
	{pattern: 'config.json', spec: () => workspaceConfigSpec as StateSpec<unknown>},
	{pattern: 'whitelist.json', spec: () => whitelistSpec as StateSpec<unknown>},
	{pattern: 'queue/*.json', spec: name => jobSpec(path.posix.basename(name, '.json')) as StateSpec<unknown>},
];

/** What verify learned about one state file. */
export type StateFileCheck = {
	name: string;
	status: 'ok' | 'missing' | 'damaged';
	generation?: number;
	backups: number;
	/** False when no module of this cws knows the file: only its envelope was checked. */
	schema: boolean;
};

/** A problem found by a check, with the repair --repair would run. */
export type Found = {issue: VerifyIssue; fix?: () => Promise<string>};

/** Checks every known state file and every *.json in .cws and .cws/queue: envelope, then schema when known. */
export async function checkStateFiles(paths: WorkspacePaths, store: Store, kinds: StateFileKind[]): Promise<{checks: StateFileCheck[]; found: Found[]}> {
	const names = new Set(kinds.filter(kind => !kind.pattern.includes('*')).map(kind => kind.pattern));
	for (const folder of ['', 'queue']) {
		for (const entry of await listEntries(path.join(paths.meta, folder), paths)) {
			if (entry.isFile() && entry.name.endsWith('.json') && !entry.name.startsWith('.')) {
				names.add(folder ? `${folder}/${entry.name}` : entry.name);
			}
		}
	}

	const checks: StateFileCheck[] = [];
	const found: Found[] = [];
	for (const name of [...names].sort()) {
		const kind = kinds.find(candidate => matches(candidate.pattern, name));
		// Unknown to this cws: check the envelope only; a newer cws may know its schema.
		const spec = kind?.spec(name) ?? {name, version: Number.MAX_SAFE_INTEGER, parse: (payload: unknown) => payload, initial: () => null};
		if ((await kindOf(store.filePath(spec))) === 'symlink') {
			// Reported by the layout check; never read through it (it may point anywhere).
			continue;
		}

		if (name === 'config.json' && await isPlainJsonObject(store.filePath(spec))) {
			// Written by hand, as the README shows: plain JSON, no envelope to verify.
			checks.push({name, status: 'ok', backups: 0, schema: true});
			continue;
		}

		const inspection = await store.inspect(spec);
		checks.push({
			name, status: inspection.status, backups: inspection.backups, schema: Boolean(kind),
			...(inspection.generation === undefined ? {} : {generation: inspection.generation}),
		});
		if (inspection.status !== 'damaged') {
			continue;
		}

		const restorable = kind !== undefined && inspection.restorable !== undefined;
		found.push({
			issue: {
				area: 'state', path: inspection.file, problem: inspection.fault ?? 'failed verification', repairable: restorable,
				action: restorable
					? `keep a copy in .cws/quarantine and restore generation ${inspection.restorable} from its backup`
					: kind === undefined
						? 'this cws does not know the file\'s format: check it with the cws version that wrote it'
						: `no valid backup: repair ${inspection.file} by hand or move it aside to start it afresh (what it held would be lost)`,
			},
			async fix() {
				const loaded = await store.read(spec);
				return loaded.recovered?.message ?? 'valid again (another process repaired it)';
			},
		});
	}

	return {checks, found};
}

/** Notes about the JSONL logs: lines readers skip. */
export async function checkLogs(paths: WorkspacePaths): Promise<string[]> {
	const notes: string[] = [];
	for (const file of layoutFiles(paths)) {
		if ((await kindOf(file)) !== 'file') {
			continue;
		}

		const content = await readJsonlDetailed(file);
		if (content.skipped > 0) {
			notes.push(`${path.relative(paths.root, file)}: ${content.skipped} line(s) are not JSON and are skipped by readers`);
		}

		if (content.tornTail) {
			notes.push(`${path.relative(paths.root, file)}: the last line is incomplete (a write was cut short); readers skip it`);
		}
	}

	return notes;
}

/** Directory entries, [] when the folder is missing. */
export async function listEntries(dir: string, paths: WorkspacePaths) {
	try {
		return await readdir(dir, {withFileTypes: true});
	} catch (error) {
		if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') {
			return [];
		}

		throw fsError(dir, error, paths.root);
	}
}

function matches(pattern: string, name: string): boolean {
	if (!pattern.includes('*')) {
		return pattern === name;
	}

	const [folder, glob] = [path.posix.dirname(pattern), path.posix.basename(pattern)];
	const suffix = glob.slice(glob.indexOf('*') + 1);
	return path.posix.dirname(name) === folder && name.endsWith(suffix);
}


/** A JSON object that is not in the store's envelope (a policy file written by hand). */
async function isPlainJsonObject(file: string): Promise<boolean> {
	try {
		const raw = JSON.parse(await readFile(file, 'utf8')) as unknown;
		return typeof raw === 'object' && raw !== null && !Array.isArray(raw) && (raw as Record<string, unknown>)['format'] !== ENVELOPE_FORMAT;
	} catch {
		return false;
	}
}
