import {readFileSync} from 'node:fs';
import {copyFile, mkdir, readFile, realpath} from 'node:fs/promises';
import path from 'node:path';
import {execa} from 'execa';
import {afterEach, describe, expect, it} from 'vitest';
import type {SignalAuditRecord} from '../../../source/core/processes/index.js';
import {isAlive, recordingKill, Spawner, testWorkspace, waitFor, type TestWorkspace} from './helpers.js';

const spawner = new Spawner();
const workspaces: TestWorkspace[] = [];

afterEach(async () => {
	await spawner.killAll();
	await Promise.all(workspaces.splice(0).map(async ws => ws.dir.cleanup()));
});

async function setup(options: Parameters<typeof testWorkspace>[0] = {}): Promise<TestWorkspace> {
	const ws = await testWorkspace(options);
	workspaces.push(ws);
	return ws;
}

const sleepPath = await realpath((await execa('sh', ['-c', 'command -v sleep'], {timeout: 5000})).stdout.trim());

/** A node "dev server" that starts two sleeping children and prints their pids. */
const DEV_SERVER = `
const {spawn} = require('node:child_process');
const a = spawn('sleep', ['30'], {stdio: 'ignore'});
const b = spawn('sleep', ['30'], {stdio: 'ignore'});
require('node:fs').writeFileSync(process.argv[1], a.pid + ' ' + b.pid);
setInterval(() => {}, 1000);
`;

describe('cleanup', () => {
	it('stops a decoy with a protected program\'s name but another executable; the protected one survives', async () => {
		const ws = await setup();
		const project = await ws.project('sandbox', 'web');
		const {rule} = await ws.control.addRule({kind: 'exe', value: sleepPath, reason: 'the real sleep is precious'});
		const decoyDir = path.join(ws.dir.path, 'decoy');
		await mkdir(decoyDir);
		const decoyExe = path.join(decoyDir, 'sleep');
		await copyFile(sleepPath, decoyExe);
		await execa('chmod', ['+x', decoyExe], {timeout: 5000});

		const real = await spawner.start('sleep', ['30'], {cwd: project});
		// The real program under another argv[0] is still the real program.
		const renamed = await spawner.start(sleepPath, ['30'], {cwd: project, argv0: 'innocent-looking'});
		const copy = await spawner.start(decoyExe, ['30'], {cwd: project});
		// A program that only calls itself `sleep`.
		const impostor = await spawner.start(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {cwd: project, argv0: 'sleep'});

		const plan = await ws.control.planCleanup();
		const stopping = plan.stops.map(stop => stop.target.pid).sort();
		expect(stopping).toEqual([copy.pid, impostor.pid].sort());
		const kept = new Map(plan.protected.map(item => [item.entry.pid, item.reasons]));
		expect(kept.get(real.pid)).toEqual([`rule ${rule.id}: the real sleep is precious`]);
		expect(kept.get(renamed.pid)).toEqual([`rule ${rule.id}: the real sleep is precious`]);
		expect(plan.stops.find(stop => stop.target.pid === copy.pid)?.entry.name).toBe('sleep');
		expect(plan.stops.find(stop => stop.target.pid === impostor.pid)?.entry.name).toBe('sleep');

		const results = await ws.control.runCleanup(plan, {requestedBy: 'cli', graceMs: 2000});

		expect(results.map(result => result.outcome)).toEqual(['stopped', 'stopped']);
		expect(isAlive(copy)).toBe(false);
		expect(isAlive(impostor)).toBe(false);
		expect(isAlive(real)).toBe(true);
		expect(isAlive(renamed)).toBe(true);
	});

	it('leaves processes outside the workspace alone and counts processes per project', async () => {
		const ws = await setup();
		const web = await ws.project('sandbox', 'web');
		const api = await ws.project('active', 'api');
		const a = await spawner.start('sleep', ['30'], {cwd: web});
		const b = await spawner.start('sleep', ['30'], {cwd: web});
		const c = await spawner.start('sleep', ['30'], {cwd: api});
		const outside = await spawner.start('sleep', ['30'], {cwd: ws.dir.path});

		const snapshot = await ws.control.snapshot();
		expect(snapshot.projectCounts).toEqual(new Map([['sandbox/web', 2], ['active/api', 1]]));
		const byPid = new Map(snapshot.entries.map(entry => [entry.pid, entry]));
		expect(byPid.get(a.pid)).toMatchObject({project: 'sandbox/web', stage: 'sandbox', inWorkspace: true, name: 'sleep', argv: ['sleep', '30']});
		expect(byPid.get(c.pid)?.project).toBe('active/api');
		expect(byPid.has(outside.pid)).toBe(false);
		const plan = await ws.control.planCleanup();
		expect(plan.stops.map(stop => stop.target.pid).sort()).toEqual([a.pid, b.pid, c.pid].sort());
		expect((await ws.control.shutdownPlan({stop: 'stages', stages: ['sandbox']})).stops.map(stop => stop.target.pid).sort()).toEqual([a.pid, b.pid].sort());
		expect((await ws.control.shutdownPlan({stop: 'none'})).stops).toEqual([]);
	});

	it('stops a dev server and its two children as one process group: all three gone', async () => {
		const recorder = recordingKill();
		const ws = await setup({kill: recorder.kill});
		const project = await ws.project('active', 'shop');
		const pidsFile = path.join(ws.dir.path, 'children');
		const server = await spawner.start(process.execPath, ['-e', DEV_SERVER, pidsFile], {cwd: project, detached: true});
		const childPids = await waitForPids(pidsFile, 2);
		const children = childPids.map(pid => spawner.track(pid)!);
		await waitFor(() => children.every(child => isAlive(child)), 'the children to run');

		const plan = await ws.control.planCleanup();
		expect(plan.stops).toHaveLength(1);
		const [stop] = plan.stops;
		expect(stop?.scope).toBe('group');
		expect(stop?.covers.map(entry => entry.pid).sort()).toEqual([server.pid, ...childPids].sort());
		expect(stop?.entry.groupSize).toBe(3);

		const [result] = await ws.control.runCleanup(plan, {requestedBy: 'cexit', graceMs: 3000});

		expect(result?.outcome).toBe('stopped');
		expect(result?.scope).toBe('group');
		expect(recorder.calls).toEqual([{pid: -server.pid, signal: 'SIGTERM'}]);
		for (const process of [server, ...children]) {
			expect(isAlive(process)).toBe(false);
		}

		const lines = (await readFile(ws.paths.audit, 'utf8')).trim().split('\n').map(line => JSON.parse(line) as SignalAuditRecord);
		expect(lines).toHaveLength(1);
		expect(lines[0]).toMatchObject({scope: 'group', pid: server.pid, signal: 'SIGTERM', result: 'delivered', requestedBy: 'cexit'});
		expect(lines[0]?.members?.map(member => member.pid).sort()).toEqual([server.pid, ...childPids].sort());
	});

	it('does not stop a group as a group when a member works outside the workspace', async () => {
		const ws = await setup();
		const project = await ws.project('active', 'shop');
		const script = `
const {spawn} = require('node:child_process');
const a = spawn('sleep', ['30'], {stdio: 'ignore', cwd: ${JSON.stringify(ws.dir.path)}});
require('node:fs').writeFileSync(process.argv[1], String(a.pid));
setInterval(() => {}, 1000);
`;
		const pidsFile = path.join(ws.dir.path, 'children');
		const server = await spawner.start(process.execPath, ['-e', script, pidsFile], {cwd: project, detached: true});
		const [outsider] = (await waitForPids(pidsFile)).map(pid => spawner.track(pid)!);

		const plan = await ws.control.planCleanup();
		expect(plan.stops.map(stop => [stop.scope, stop.target.pid])).toEqual([['process', server.pid]]);
		const direct = await ws.control.stopGroup({pid: server.pid, startTime: server.startTime}, {requestedBy: 'cli', graceMs: 500});
		expect(direct.outcome).toBe('refused');
		expect(direct.code).toBe('group-not-eligible');
		expect(direct.reasons.join('\n')).toContain('outside the workspace');
		expect(isAlive(server)).toBe(true);
		expect(isAlive(outsider!)).toBe(true);
	});
});

async function waitForPids(file: string, count = 1): Promise<number[]> {
	return waitFor(() => {
		let text: string;
		try {
			text = readFileSync(file, 'utf8');
		} catch {
			return undefined;
		}

		const pids = text.trim().split(' ').filter(Boolean).map(Number);
		return pids.length >= count ? pids : undefined;
	}, `pids in ${file}`);
}
