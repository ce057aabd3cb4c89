import {afterEach, describe, expect, it} from 'vitest';
import {processShutdownParticipant, STOP_PROCESSES_QUESTION} from '../../../source/core/processes/index.js';
import {isAlive, recordingKill, Spawner, testWorkspace, type TestWorkspace} from './helpers.js';

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

function runContext(answer: string | undefined, signal = new AbortController().signal) {
	const reports: string[] = [];
	return {
		reports,
		context: {
			mode: 'interactive' as const, force: false, signal, report: (text: string) => reports.push(text),
			answers: new Map(answer === undefined ? [] : [[STOP_PROCESSES_QUESTION, answer]]),
		},
	};
}

describe('the cexit participant', () => {
	it('asks about exactly the policy\'s processes and stops only those when told to', async () => {
		const ws = await setup();
		const sandbox = await spawner.start('sleep', ['30'], {cwd: await ws.project('sandbox', 'toy')});
		const stable = await spawner.start('sleep', ['30'], {cwd: await ws.project('stable', 'lib')});
		const participant = processShutdownParticipant(ws.control, {policy: {stop: 'stages', stages: ['sandbox']}, graceMs: 2000});

		const [step] = await participant.plan({mode: 'interactive', force: false});
		expect(step?.title).toBe('Stop 1 workspace process');
		expect(step?.details).toEqual([expect.stringContaining(`pid ${sandbox.pid}`)]);
		expect(step?.question).toMatchObject({id: STOP_PROCESSES_QUESTION, defaultValue: 'stop', unattendedValue: 'leave'});

		const {context, reports} = runContext('stop');
		const lines = await participant.run(context);

		expect(lines).toEqual([expect.stringMatching(new RegExp(`^stopped pid ${sandbox.pid} \\(SIGTERM`))]);
		expect(reports).toEqual(['stopping workspace processes: 1/1']);
		expect(isAlive(sandbox)).toBe(false);
		expect(isAlive(stable)).toBe(true);
	});

	it('leaves everything running when the answer is to leave, or when nobody answered', async () => {
		const ws = await setup();
		const sleeper = await spawner.start('sleep', ['30'], {cwd: await ws.project('active', 'api')});
		const participant = processShutdownParticipant(ws.control);
		await participant.plan({mode: 'signal', force: false});
		expect(await participant.run(runContext('leave').context)).toEqual(['Workspace processes left running.']);
		expect(await participant.run(runContext(undefined).context)).toEqual(['Workspace processes left running.']);
		expect(isAlive(sleeper)).toBe(true);
	});

	it('stops waiting when told to: SIGKILL follows at once instead of after the grace period', async () => {
		const recorder = recordingKill();
		const ws = await setup({kill: recorder.kill});
		const stubborn = await spawner.start('bash', ['-c', 'trap "" TERM; exec sleep 30'], {waitForComm: 'sleep', cwd: await ws.project('active', 'api')});
		const participant = processShutdownParticipant(ws.control, {graceMs: 20_000});
		await participant.plan({mode: 'interactive', force: false});
		const controller = new AbortController();
		setTimeout(() => controller.abort(), 300);

		const started = performance.now();
		const lines = await participant.run(runContext('stop', controller.signal).context);

		expect(performance.now() - started).toBeLessThan(3000);
		expect(recorder.calls.map(call => call.signal)).toEqual(['SIGTERM', 'SIGKILL']);
		expect(lines[0]).toMatch(/^killed pid/);
		expect(isAlive(stubborn)).toBe(false);
	});
});
