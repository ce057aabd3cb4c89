import {readFile} from 'node:fs/promises';
import path from 'node:path';
import {listBackups, quarantineCopy, type Backup} from './backups.js';
import {sniffGeneration, verifyEnvelope} from './envelope.js';
import {CwsError, errnoCode} from './errors.js';
import type {RecoveryReport, Snapshot, StateSpec} from './store.js';

/** What `cws verify` learns about one state file, without changing anything. */
export type Inspection = {
	name: string;
	file: string;
	/** ok: verifies; missing: absent with no backups (fine: it starts empty); damaged: needs recovery. */
	status: 'ok' | 'missing' | 'damaged';
	generation?: number;
	fault?: string;
	/** How many backup generations exist. */
	backups: number;
	/** For a damaged file: the generation a repair would restore, if any backup is valid. */
	restorable?: number;
};

const MISSING_FAULT = 'the file is missing, but backups of it exist';

type Found<T> = {backup: Backup; data: T};

async function newestValid<T>(spec: StateSpec<T>, backups: Backup[]): Promise<Found<T> | undefined> {
	for (const backup of backups) {
		let bytes: Buffer;
		try {
			bytes = await readFile(backup.file);
		} catch (error) {
			if (errnoCode(error) === 'ENOENT') {
				continue; // pruned meanwhile
			}

			throw error;
		}

		const verified = verifyEnvelope(bytes, spec);
		if (verified.ok) {
			return {backup, data: verified.data};
		}
	}

	return undefined;
}

/** The fault of a snapshot that failed verification (or of a missing file with backups). */
function faultOf<T>(spec: StateSpec<T>, snapshot: Snapshot): {fault: string; generation?: number} {
	if (!snapshot.bytes) {
		return {fault: MISSING_FAULT};
	}

	const verified = verifyEnvelope(snapshot.bytes, spec);
	if (verified.ok) {
		return {fault: 'none'};
	}

	const generation = verified.generation ?? sniffGeneration(snapshot.bytes.toString('utf8', 0, 512));
	return generation === undefined ? {fault: verified.fault} : {fault: verified.fault, generation};
}

export type RecoverInput<T> = {
	meta: string;
	spec: StateSpec<T>;
	file: string;
	/** The bad file as read under the lock. */
	snapshot: Snapshot;
	now: Date;
	/** Publishes `data` as `generation`, fenced against the snapshot. */
	publish(data: T, generation: number): Promise<void>;
};

/**
 * Recovers a state file that failed verification; the caller holds its
 * lock. The bad bytes are copied to quarantine first (if that fails nothing
 * else happens), then the newest backup that verifies is published as a
 * NEW generation, above every generation seen, so that a stalled writer's
 * fencing token can never match the restored file. Without a valid backup
 * it throws STATE_CORRUPT and leaves the file as it is.
 */
export async function recoverLocked<T>(input: RecoverInput<T>): Promise<{data: T; generation: number; report: RecoveryReport}> {
	const {meta, spec, file, snapshot} = input;
	const {fault, generation: faultGeneration} = faultOf(spec, snapshot);
	const shown = (target: string) => path.relative(path.dirname(meta), target);
	const quarantinedTo = snapshot.bytes ? await quarantineCopy(meta, spec.name, snapshot.bytes, input.now) : '';
	const backups = await listBackups(meta, spec.name);
	const found = await newestValid(spec, backups);
	if (!found) {
		const what = backups.length === 0 ? 'it has no backups' : `none of its ${backups.length} backups is valid`;
		const copy = quarantinedTo ? ` A copy was saved to ${quarantinedTo}; the file was left as it is.` : '';
		throw new CwsError('STATE_CORRUPT', `${file} failed verification (${fault}) and ${what}.${copy}`, {
			hint: snapshot.bytes
				? `Repair ${file} by hand, or move it aside to start ${spec.name} afresh (what it held would be lost). \`cws verify\` lists what is wrong.`
				: `Remove ${path.join(meta, 'backups', spec.name)} to start ${spec.name} afresh, or restore it by hand from a copy.`,
		});
	}

	const generation = Math.max(backups[0]?.generation ?? 0, faultGeneration ?? 0) + 1;
	await input.publish(found.data, generation);
	const message = snapshot.bytes
		? `${shown(file)} was damaged (${fault}): a copy is in ${shown(quarantinedTo)} and generation ${found.backup.generation} was restored from its backup.`
		: `${shown(file)} was missing: generation ${found.backup.generation} was restored from its backup.`;
	return {
		data: found.data,
		generation,
		report: {file, fault, quarantinedTo, restoredGeneration: found.backup.generation, message},
	};
}

/** Verifies a state file and, when damaged, finds what a repair would restore. Changes nothing. */
export async function inspectState<T>(meta: string, spec: StateSpec<T>, file: string, snapshot: Snapshot): Promise<Inspection> {
	const backups = await listBackups(meta, spec.name);
	const base = {name: spec.name, file, backups: backups.length};
	if (snapshot.bytes) {
		const verified = verifyEnvelope(snapshot.bytes, spec);
		if (verified.ok) {
			return {...base, status: 'ok', generation: verified.generation};
		}
	} else if (backups.length === 0) {
		return {...base, status: 'missing'};
	}

	const {fault, generation} = faultOf(spec, snapshot);
	const found = await newestValid(spec, backups);
	return {
		...base,
		status: 'damaged',
		fault,
		...(generation === undefined ? {} : {generation}),
		...(found ? {restorable: found.backup.generation} : {}),
	};
}
