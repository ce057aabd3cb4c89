import {spawnSync} from 'node:child_process';
import {mkdtemp, readFile, rm, stat, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {readJsonl} from '../../source/core/jsonl.js';
import {
	defaultSessionIo,
	findUncleanSessions,
	pruneRecords,
	SessionRecorder,
	type SessionRecord,
} from '../../source/core/session.js';

let dir: string;
let file: string;

beforeEach(async () => {
	dir = await mkdtemp(path.join(os.tmpdir(), 'cws-session-'));
	file = path.join(dir, 'sessions.jsonl');
});

afterEach(async () => {
	await rm(dir, {recursive: true, force: true});
});

const records = () => readJsonl<SessionRecord>(file);

/** A pid that certainly belonged to a process that has ended. */
function deadPid(): number {
	const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
	return Number(child.stdout.toString());
}

describe('SessionRecorder', () => {
	it('records start and end with the reason and the projects touched, in a 0600 file', async () => {
		const {recorder, unclean} = await SessionRecorder.start({file});
		expect(unclean).toEqual([]);
		recorder.touch('web');
		recorder.touch('api');
		recorder.touch('web');
		await recorder.end('SIGTERM');
		await recorder.end('cexit');
		const lines = await records();
		expect(lines.map(line => line.type)).toEqual(['start', 'end']);
		expect(lines[0]).toMatchObject({type: 'start', session: recorder.id, pid: process.pid, host: os.hostname()});
		expect(lines[1]).toMatchObject({type: 'end', session: recorder.id, reason: 'SIGTERM', projects: ['api', 'web']});
		expect((await stat(file)).mode & 0o777).toBe(0o600);
	});

	it('reports a previous session that never ended and whose process is gone, once', async () => {
		const pid = deadPid();
		await writeFile(file, `${JSON.stringify({type: 'start', session: 'old', at: '2026-01-01T10:00:00.000Z', host: os.hostname(), pid, user: 'me'})}\n${JSON.stringify({type: 'alive', session: 'old', at: '2026-01-01T10:05:00.000Z'})}\n`);
		const first = await SessionRecorder.start({file});
		expect(first.unclean).toEqual([{session: 'old', startedAt: '2026-01-01T10:00:00.000Z', lastSeen: '2026-01-01T10:05:00.000Z', pid, host: os.hostname()}]);
		await first.recorder.acknowledge(first.unclean, ['removed 1 unfinished temp file']);
		await first.recorder.end('cexit');
		const second = await SessionRecorder.start({file});
		expect(second.unclean).toEqual([]);
		expect((await records()).find(record => record.type === 'recovered')).toMatchObject({session: 'old', by: first.recorder.id, actions: ['removed 1 unfinished temp file']});
	});

	it('does not report sessions that ended, still run, or ran on another host', async () => {
		const dead = deadPid();
		const lines = [
			{type: 'start', session: 'ended', at: 'a', host: os.hostname(), pid: dead, user: 'me'},
			{type: 'end', session: 'ended', at: 'b', reason: 'SIGHUP', projects: []},
			{type: 'start', session: 'running', at: 'a', host: os.hostname(), pid: process.pid, user: 'me'},
			{type: 'start', session: 'elsewhere', at: 'a', host: 'another-host', pid: dead, user: 'me'},
		];
		await writeFile(file, lines.map(line => JSON.stringify(line)).join('\n') + '\n');
		const {unclean} = await SessionRecorder.start({file});
		expect(unclean).toEqual([]);
	});

	it('tells a reused pid from the recorded process by its start time', () => {
		const start = {type: 'start' as const, session: 's', at: 'a', host: 'h', pid: process.pid, pidStart: 'not-the-real-start', user: 'me'};
		expect(findUncleanSessions([start], {host: 'h', isAlive: (pid, pidStart) => pidStart !== 'not-the-real-start'})).toHaveLength(1);
	});

	it('prunes the log to the newest sessions, keeping all their records', async () => {
		const lines: SessionRecord[] = [];
		for (let index = 0; index < 25; index++) {
			lines.push({type: 'start', session: `s${index}`, at: 'a', host: 'elsewhere', pid: 1, user: 'me'});
			lines.push({type: 'end', session: `s${index}`, at: 'b', reason: 'cexit', projects: []});
		}

		await writeFile(file, lines.map(line => JSON.stringify(line)).join('\n') + '\n');
		const {recorder} = await SessionRecorder.start({file, retention: 10});
		const kept = await records();
		const starts = kept.filter(record => record.type === 'start').map(record => record.session);
		expect(starts).toEqual([...Array.from({length: 9}, (_, index) => `s${index + 16}`), recorder.id]);
		expect(kept.filter(record => record.type === 'end')).toHaveLength(9);
	});

	it('does not rewrite the log until it is a tenth over retention', async () => {
		const lines = Array.from({length: 10}, (_, index) => JSON.stringify({type: 'start', session: `s${index}`, at: 'a', host: 'x', pid: 1, user: 'me'}));
		await writeFile(file, lines.join('\n') + '\n');
		let rewrites = 0;
		await SessionRecorder.start({file, retention: 10, io: {...defaultSessionIo, rewrite: async (...args) => {
			rewrites++;
			return defaultSessionIo.rewrite(...args);
		}}});
		expect(rewrites).toBe(0);
		expect((await records()).filter(record => record.type === 'start')).toHaveLength(11);
	});

	it('writes the end record even when the sessions lock cannot be had in time', async () => {
		let locked = 0;
		const io = {...defaultSessionIo, withLock: async <R>(fn: () => Promise<R>) => (locked++ === 0 ? fn() : new Promise<R>(() => {}))};
		const {recorder} = await SessionRecorder.start({file, io});
		const started = Date.now();
		await recorder.end('SIGHUP', undefined, 100);
		expect(Date.now() - started).toBeLessThan(2000);
		expect((await records()).at(-1)).toMatchObject({type: 'end', reason: 'SIGHUP'});
	});

	it('writes the end record when locking fails, and reports a failed append', async () => {
		const noLock = {...defaultSessionIo, withLock: async () => {
			throw new Error('lock folder is read-only');
		}};
		const {recorder} = await SessionRecorder.start({file, io: noLock});
		await recorder.end('cexit');
		expect((await records()).map(record => record.type)).toEqual(['start', 'end']);

		let appends = 0;
		const failing = {...noLock, append: async (target: string, record: SessionRecord) => {
			if (appends++ > 0) throw new Error('disk full');
			return defaultSessionIo.append(target, record);
		}};
		const other = await SessionRecorder.start({file, io: failing});
		await expect(other.recorder.end('cexit')).rejects.toThrow('disk full');
	});

	it('endSync writes once, and not after end()', async () => {
		const {recorder} = await SessionRecorder.start({file});
		recorder.endSync('crash', 'boom');
		recorder.endSync('crash', 'again');
		const lines = (await readFile(file, 'utf8')).trim().split('\n');
		expect(lines).toHaveLength(2);
		expect(JSON.parse(lines[1]!)).toMatchObject({reason: 'crash', detail: 'boom'});

		const second = await SessionRecorder.start({file});
		await second.recorder.end('cexit');
		second.recorder.endSync('crash');
		expect((await records()).filter(record => record.type === 'end' && record.session === second.recorder.id)).toHaveLength(1);
	});
});

describe('pruneRecords', () => {
	it('keeps every record of the kept sessions, in order', () => {
		const input: SessionRecord[] = [
			{type: 'start', session: 'a', at: '1', host: 'h', pid: 1, user: 'u'},
			{type: 'start', session: 'b', at: '2', host: 'h', pid: 2, user: 'u'},
			{type: 'end', session: 'a', at: '3', reason: 'cexit', projects: []},
			{type: 'alive', session: 'b', at: '4'},
		];
		expect(pruneRecords(input, 1)).toEqual([input[1], input[3]]);
	});
});
