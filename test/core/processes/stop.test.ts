import {readFile} from 'node:fs/promises';
import {afterEach, describe, expect, it} from 'vitest';
import {linuxSource, type ProcessSource, type SignalAuditRecord} from '../../../source/core/processes/index.js';
import {readStat} from '../../../source/core/processes/proc-fs.js';
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

async function auditLines(ws: TestWorkspace): Promise<SignalAuditRecord[]> {
	const text = await readFile(ws.paths.audit, 'utf8');
	return text.split('\n').filter(line => line !== '').map(line => JSON.parse(line) as SignalAuditRecord);
}

describe('stopping one process', () => {
	it('refuses a target whose start time no longer matches and never signals it', async () => {
		const recorder = recordingKill();
		const ws = await setup({kill: recorder.kill});
		const sleeper = await spawner.start('sleep', ['30'], {cwd: await ws.project('sandbox', 'web')});

		const result = await ws.control.stopProcess({pid: sleeper.pid, startTime: sleeper.startTime - 1, command: 'sleep 30'}, {requestedBy: 'cli', graceMs: 200});

		expect(result.outcome).toBe('refused');
		expect(result.code).toBe('pid-reused');
		expect(result.message).toContain('another process');
		expect(recorder.calls).toEqual([]);
		expect(isAlive(sleeper)).toBe(true);
		const [line] = await auditLines(ws);
		expect(line).toMatchObject({type: 'signal', pid: sleeper.pid, startTime: sleeper.startTime - 1, result: 'refused', requestedBy: 'cli'});
	});

	it('re-checks the start time before the SIGKILL too: a pid reused during the grace period is not killed', async () => {
		const recorder = recordingKill();
		let reused = false;
		// The kernel cannot be made to reuse a pid on demand; this source reports
		// the pid as another process once SIGTERM has been sent.
		const source: ProcessSource = {
			...linuxSource,
			async probe(pid) {
				const process = await linuxSource.probe(pid);
				return process && reused ? {...process, startTime: process.startTime + 1} : process;
			},
		};
		const ws = await setup({source, kill(pid, signal) {
			recorder.kill(pid, signal);
			reused = true;
		}});
		const stubborn = await spawner.start('bash', ['-c', 'trap "" TERM; exec sleep 30'], {waitForComm: 'sleep', cwd: await ws.project('sandbox', 'web')});

		const result = await ws.control.stopProcess({pid: stubborn.pid, startTime: stubborn.startTime}, {requestedBy: 'tui', graceMs: 300});

		expect(recorder.calls).toEqual([{pid: stubborn.pid, signal: 'SIGTERM'}]);
		expect(result.outcome).toBe('stopped');
		expect(result.signals.map(sent => sent.signal)).toEqual(['SIGTERM']);
		expect(isAlive(stubborn)).toBe(true);
	});

	it('sends SIGKILL at the grace time to a child that ignores SIGTERM, and it is gone', async () => {
		const recorder = recordingKill();
		const ws = await setup({kill: recorder.kill});
		const stubborn = await spawner.start('bash', ['-c', 'trap "" TERM; exec sleep 30'], {waitForComm: 'sleep', cwd: await ws.project('active', 'api')});
		const graceMs = 1000;

		const started = performance.now();
		const result = await ws.control.stopProcess({pid: stubborn.pid, startTime: stubborn.startTime}, {requestedBy: 'cli', graceMs});

		expect(result.outcome).toBe('killed');
		expect(result.signals.map(sent => [sent.signal, sent.result])).toEqual([['SIGTERM', 'delivered'], ['SIGKILL', 'delivered']]);
		const killAt = result.signals[1]!.atMs - result.signals[0]!.atMs;
		expect(killAt).toBeGreaterThanOrEqual(graceMs - 500);
		expect(killAt).toBeLessThanOrEqual(graceMs + 500);
		expect(performance.now() - started).toBeLessThan(graceMs + 2500);
		expect(isAlive(stubborn)).toBe(false);
		expect(recorder.calls.map(call => call.signal)).toEqual(['SIGTERM', 'SIGKILL']);
		const lines = await auditLines(ws);
		expect(lines.map(line => [line.signal, line.result])).toEqual([['SIGTERM', 'delivered'], ['SIGKILL', 'delivered']]);
		expect(lines[0]).toMatchObject({pid: stubborn.pid, startTime: stubborn.startTime, command: 'sleep 30', requestedBy: 'cli', scope: 'process'});
	});

	it('stops a well-behaved child with SIGTERM alone', async () => {
		const recorder = recordingKill();
		const ws = await setup({kill: recorder.kill});
		const sleeper = await spawner.start('sleep', ['30'], {cwd: await ws.project('active', 'api')});

		const result = await ws.control.stopProcess({pid: sleeper.pid, startTime: sleeper.startTime}, {requestedBy: 'tui', graceMs: 3000});

		expect(result.outcome).toBe('stopped');
		expect(recorder.calls).toEqual([{pid: sleeper.pid, signal: 'SIGTERM'}]);
		expect(result.elapsedMs).toBeLessThan(2000);
		expect(isAlive(sleeper)).toBe(false);
	});

	it('reports a process that is already gone instead of pretending to stop it', async () => {
		const recorder = recordingKill();
		const ws = await setup({kill: recorder.kill});
		const sleeper = await spawner.start('sleep', ['30']);
		sleeper.child.kill('SIGKILL');
		await waitFor(() => !isAlive(sleeper), 'the sleeper to die');

		const result = await ws.control.stopProcess({pid: sleeper.pid, startTime: sleeper.startTime}, {requestedBy: 'cli'});

		expect(result.outcome).toBe('already-gone');
		expect(result.message).toContain('already gone');
		expect(recorder.calls).toEqual([]);
	});

	it('reports EPERM from kill(2) as a failure', async () => {
		const ws = await setup({kill() {
			throw Object.assign(new Error('kill EPERM'), {code: 'EPERM'});
		}});
		const sleeper = await spawner.start('sleep', ['30'], {cwd: await ws.project('sandbox', 'web')});

		const result = await ws.control.stopProcess({pid: sleeper.pid, startTime: sleeper.startTime}, {requestedBy: 'cli'});

		expect(result.outcome).toBe('failed');
		expect(result.code).toBe('EPERM');
		const [line] = await auditLines(ws);
		expect(line).toMatchObject({signal: 'SIGTERM', result: 'EPERM'});
	});
});

describe('built-in protection', () => {
	it('refuses PID 1, this process, its parent and another user\'s process, naming the reason', async () => {
		const recorder = recordingKill();
		const ws = await setup({kill: recorder.kill});
		const targets: Array<{pid: number; expected: RegExp}> = [
			{pid: 1, expected: /PID 1/},
			{pid: process.pid, expected: /this cws process/},
			{pid: process.ppid, expected: /ancestor of this cws process/},
		];
		if (process.getuid?.() === 0) {
			const other = await spawner.start('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', 'sleep', '30'], {
				waitForComm: 'sleep', cwd: await ws.project('sandbox', 'web'),
			});
			targets.push({pid: other.pid, expected: /another user \(nobody\)/});
		}

		for (const {pid, expected} of targets) {
			const stat = readStat(pid)!;
			const result = await ws.control.stopProcess({pid, startTime: stat.startTime}, {requestedBy: 'cli', graceMs: 100});
			expect(result.outcome, `pid ${pid}`).toBe('refused');
			expect(result.code).toBe('protected');
			expect(result.reasons.join('\n')).toMatch(expected);
			expect(result.message).toMatch(/protected: built-in/);
		}

		expect(recorder.calls).toEqual([]);
		expect(process.getuid?.() !== 0 || targets.length === 4).toBe(true);
		const lines = await auditLines(ws);
		expect(lines.every(line => line.result === 'refused')).toBe(true);
		expect(lines).toHaveLength(targets.length);
	});

	it('cannot be lifted by removing every rule', async () => {
		const ws = await setup();
		for (const rule of await ws.control.rules()) {
			await ws.control.removeRule(rule.id);
		}

		expect(await ws.control.rules()).toEqual([]);
		const result = await ws.control.stopProcess({pid: process.pid, startTime: readStat(process.pid)!.startTime}, {requestedBy: 'cli'});
		expect(result.outcome).toBe('refused');
		expect(result.reasons[0]).toContain('this cws process');
	});
});
