import {appendFile, mkdir, mkdtemp, readFile, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {findUncleanSessions, type SessionRecord} from '../../source/core/session.js';
import {openWorkspace} from '../../source/core/workspace.js';
import {sessionNotice, startSessionRecord} from '../../source/ui/session-start.js';

const dirs: string[] = [];
afterEach(async () => {
	await Promise.all(dirs.splice(0).map(async dir => rm(dir, {recursive: true, force: true})));
});

async function workspace() {
	const dir = await mkdtemp(path.join(os.tmpdir(), 'cws-session-start-'));
	dirs.push(dir);
	return openWorkspace(path.join(dir, 'ws'));
}

async function records(file: string): Promise<SessionRecord[]> {
	return (await readFile(file, 'utf8')).trim().split('\n').map(line => JSON.parse(line) as SessionRecord);
}

// The full-screen workspace draws its first frame while the session's start
// is still being recorded: whatever ends the session meanwhile must close it.
describe('the session record of the full-screen workspace', () => {
	it('records touched projects and the end, also when the session ends before its start is recorded', async () => {
		const ws = await workspace();
		const {recorder, started} = startSessionRecord(ws);
		recorder.touch('alpha');
		// A crash at once: the synchronous last resort.
		recorder.endSync('crash', 'SIGXCPU');
		expect(await started).toEqual({unclean: []});
		const written = await records(ws.paths.sessions);
		expect(written.map(record => record.type).sort()).toEqual(['end', 'start']);
		expect(written.find(record => record.type === 'end')).toMatchObject({session: recorder.id, reason: 'crash', detail: 'SIGXCPU', projects: ['alpha']});
		// Closed, whatever the order of its lines: the next start does not report it, even with its process gone.
		expect(findUncleanSessions(written, {host: os.hostname(), isAlive: () => false})).toEqual([]);

		// A later session finds nothing unclean; one ended normally records its end after its start.
		const next = startSessionRecord(ws);
		expect(await next.started).toEqual({unclean: []});
		next.recorder.touch('bravo');
		await next.recorder.end('cexit');
		expect((await records(ws.paths.sessions)).slice(-2)).toMatchObject([{type: 'start', session: next.recorder.id}, {type: 'end', reason: 'cexit', projects: ['bravo']}]);
	});

	it('reports an earlier unclean session once it can be shown, and leaves it to the next start when ending already', async () => {
		const ws = await workspace();
		// A session of this host whose process is gone (no process has pid 2^22 + 1) and that never ended.
		const dead = {type: 'start', session: 'gone-1', at: new Date(Date.now() - 60_000).toISOString(), host: os.hostname(), pid: 4_194_305, user: 'someone'};
		await appendFile(ws.paths.sessions, `${JSON.stringify(dead)}\n`);

		const leaving = startSessionRecord(ws);
		expect(await sessionNotice(leaving, ws.sweep, () => true)).toEqual({lines: [], recorded: true});
		expect((await records(ws.paths.sessions)).filter(record => record.type === 'recovered')).toEqual([]);
		await leaving.recorder.end('cexit');

		const next = startSessionRecord(ws);
		const shown = await sessionNotice(next, ws.sweep, () => false);
		expect(shown.recorded).toBe(true);
		expect(shown.lines[0]).toMatch(/^The previous session did not end cleanly: pid 4194305/);
		expect((await records(ws.paths.sessions)).filter(record => record.type === 'recovered')).toMatchObject([{session: 'gone-1', by: next.recorder.id}]);
		await next.recorder.end('cexit');
	});

	it('is a warning, not a failure, when the log cannot be written', async () => {
		const ws = await workspace();
		await rm(ws.paths.sessions);
		await mkdir(ws.paths.sessions);
		const session = startSessionRecord(ws);
		const outcome = await session.started;
		expect(outcome.unclean).toEqual([]);
		expect(outcome.warning).toMatch(/^the session log could not be written: /);
		expect(await sessionNotice(session, ws.sweep, () => false)).toEqual({lines: [outcome.warning], recorded: false});
	});
});
