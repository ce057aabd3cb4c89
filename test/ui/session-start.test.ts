import {mkdir, mkdtemp, readFile, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {openWorkspace} from '../../source/core/workspace.js';
import {SessionHandle, startSessionRecord} from '../../source/ui/session-start.js';

const dirs: string[] = [];
afterEach(async () => {
	await Promise.all(dirs.splice(0).map(async dir => rm(dir, {recursive: true, force: true})));
});

async function workspace() {
	const dir = await mkdtemp(path.join(os.tmpdir(), 'cws-session-start-'));
	dirs.push(dir);
	return openWorkspace(path.join(dir, 'ws'));
}

describe('the session record of the full-screen workspace', () => {
	it('hands the projects touched while the record was starting to it, then the later ones', async () => {
		const ws = await workspace();
		const handle = new SessionHandle();
		const starting = startSessionRecord(ws);
		handle.touch('alpha');
		expect(handle.id).toBe('unrecorded');
		const started = await starting;
		expect(started.warning).toBeUndefined();
		handle.attach(started.recorder!);
		expect(handle.id).toBe(started.recorder!.id);
		handle.touch('bravo');
		handle.touch('alpha');
		expect(started.recorder!.touched().sort()).toEqual(['alpha', 'bravo']);
		await started.recorder!.end('cexit');
		const records = (await readFile(ws.paths.sessions, 'utf8')).trim().split('\n').map(line => JSON.parse(line) as {type: string; projects?: string[]});
		expect(records.map(record => record.type)).toEqual(['start', 'end']);
		expect(records[1]!.projects?.sort()).toEqual(['alpha', 'bravo']);
	});

	it('is a warning, not a failure, when the log cannot be written', async () => {
		const ws = await workspace();
		await rm(ws.paths.sessions);
		await mkdir(ws.paths.sessions);
		const started = await startSessionRecord(ws);
		expect(started.recorder).toBeUndefined();
		expect(started.unclean).toEqual([]);
		expect(started.warning).toMatch(/^the session log could not be written: /);
	});
});
