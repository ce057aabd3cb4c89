/**
 * What cws recovered by itself during a run, read from its own records: the
 * session log (killed TUIs found by the next start), the job logs (jobs put
 * back or moved on after their worker died), the quarantine (state files
 * restored from a backup) and the projects' histories (interrupted moves
 * finished by reconciliation).
 */
import {readdir} from 'node:fs/promises';
import path from 'node:path';
import {readJsonl} from '../../source/core/jsonl.js';
import type {SessionRecord} from '../../source/core/session.js';
import type {Fixture} from './fixture.js';

export type Recoveries = {
	/** Sessions a later start found ended uncleanly and reported. */
	sessions: number;
	/** Jobs whose worker died while running them, put back (or ended) by another worker. */
	jobsTakenBack: number;
	/** Claims abandoned by a worker that died before starting the job. */
	claimsAbandoned: number;
	/** State files quarantined and restored from a backup. */
	stateFilesRestored: number;
	sessionEnds: Record<string, number>;
};

export async function readRecoveries(fixture: Fixture): Promise<Recoveries> {
	const meta = path.join(fixture.root, '.cws');
	const sessions = await readJsonl<SessionRecord>(path.join(meta, 'sessions.jsonl'));
	const sessionEnds: Record<string, number> = {};
	for (const record of sessions) {
		if (record.type === 'end') sessionEnds[record.reason] = (sessionEnds[record.reason] ?? 0) + 1;
	}

	let jobsTakenBack = 0;
	let claimsAbandoned = 0;
	const logs = path.join(meta, 'queue', 'logs');
	for (const file of await readdir(logs).catch(() => [] as string[])) {
		for (const entry of await readJsonl<{message?: string}>(path.join(logs, file))) {
			if (/holding it is gone/.test(entry.message ?? '')) jobsTakenBack++;
			if (/abandoned by a worker that died/.test(entry.message ?? '')) claimsAbandoned++;
		}
	}

	const quarantine = await readdir(path.join(meta, 'quarantine')).catch(() => [] as string[]);
	return {
		sessions: sessions.filter(record => record.type === 'recovered').length,
		jobsTakenBack,
		claimsAbandoned,
		stateFilesRestored: quarantine.length,
		sessionEnds,
	};
}
