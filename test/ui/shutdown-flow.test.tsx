import {afterEach, describe, expect, it} from 'vitest';
import type {ShutdownParticipant, ShutdownRunContext} from '../../source/core/shutdown.js';
import {ShutdownFlow, type ShutdownOutcome} from '../../source/ui/shutdown-flow.js';
import {renderShell, tick} from './render-shell.js';

let shell: Awaited<ReturnType<typeof renderShell>> | undefined;

afterEach(() => {
	shell?.dispose();
	shell = undefined;
});

/** A queue-like participant: asks whether to wait, then waits for its job unless told to stop. */
function queueParticipant(log: string[], jobMs = 5000): ShutdownParticipant {
	return {
		name: 'queue',
		plan: () => [
			{
				participant: 'queue',
				title: '1 sync job is running (web → origin)',
				details: ['started 12 s ago'],
				question: {
					id: 'queue.wait',
					prompt: 'Wait for the running job?',
					choices: [
						{value: 'wait', label: 'wait for it to finish'},
						{value: 'leave', label: 'leave it queued (it resumes next time)'},
					],
					defaultValue: 'wait',
					unattendedValue: 'leave',
				},
			},
		],
		async run(context: ShutdownRunContext) {
			log.push(`mode=${context.mode} answer=${context.answers.get('queue.wait')}`);
			if (context.answers.get('queue.wait') === 'wait') {
				context.report('waiting for web → origin');
				await new Promise<void>(resolve => {
					const timer = setTimeout(resolve, jobMs);
					context.signal.addEventListener('abort', () => {
						clearTimeout(timer);
						log.push('stopped waiting');
						resolve();
					});
				});
			}

			return ['queue: web → origin left queued'];
		},
	};
}

async function setup(participant: ShutdownParticipant) {
	shell = await renderShell();
	const outcomes: ShutdownOutcome[] = [];
	const flow = new ShutdownFlow(shell.controller, () => [participant], outcome => outcomes.push(outcome));
	shell.controller.setShutdownHandler(flow);
	return {flow, outcomes, shell};
}

describe('cexit', () => {
	it('shows the plan, asks, and runs with the answer given', async () => {
		const log: string[] = [];
		const {outcomes, shell} = await setup(queueParticipant(log, 100));
		await shell.press(':');
		await shell.type('cexit');
		await shell.press('\r');
		await tick(50);
		const frame = shell.frame();
		expect(frame).toContain('Before leaving:');
		expect(frame).toContain('1 sync job is running (web → origin)');
		expect(frame).toContain('Wait for the running job?');
		expect(frame).toMatch(/▶ wait for it to finish/);
		expect(frame).toContain('save the session record');
		expect(outcomes).toEqual([]);
		await shell.press('\u001B[B');
		await shell.press('\r');
		await tick(50);
		expect(log).toEqual(['mode=interactive answer=leave']);
		expect(outcomes).toEqual([{reason: 'cexit', summary: ['queue: web → origin left queued'], errors: []}]);
	});

	it('can be cancelled while it asks, leaving the shell as it was', async () => {
		const log: string[] = [];
		const {outcomes, flow, shell} = await setup(queueParticipant(log));
		await shell.press(':');
		await shell.type('cexit');
		await shell.press('\r');
		await tick(50);
		await shell.press('\u0007');
		expect(shell.frame()).toContain('shutdown cancelled');
		expect(shell.frame()).toContain('1 Stage board');
		expect(flow.inProgress).toBe(false);
		expect(log).toEqual([]);
		expect(outcomes).toEqual([]);
	});

	it('a second :cexit while waiting stops the wait, losing nothing', async () => {
		const log: string[] = [];
		const {outcomes, shell} = await setup(queueParticipant(log, 20_000));
		await shell.press(':');
		await shell.type('cexit');
		await shell.press('\r');
		await tick(50);
		await shell.press('\r');
		await tick(50);
		expect(shell.frame()).toContain('waiting for web → origin');
		expect(outcomes).toEqual([]);
		await shell.press(':');
		await shell.type('cexit');
		await shell.press('\r');
		await tick(100);
		expect(log).toEqual(['mode=interactive answer=wait', 'stopped waiting']);
		expect(outcomes).toHaveLength(1);
		expect(outcomes[0]!.reason).toBe('cexit');
	});

	it(':cexit! skips the questions and uses the answers that lose nothing', async () => {
		const log: string[] = [];
		const {outcomes, shell} = await setup(queueParticipant(log));
		await shell.press(':');
		await shell.type('cexit!');
		await shell.press('\r');
		await tick(100);
		expect(log).toEqual(['mode=interactive answer=leave']);
		expect(outcomes).toHaveLength(1);
	});

	it('a signal runs the same shutdown without questions and names itself', async () => {
		const log: string[] = [];
		const {outcomes, flow} = await setup(queueParticipant(log));
		flow.signal('SIGHUP');
		flow.signal('tty-lost');
		await tick(100);
		expect(log).toEqual(['mode=signal answer=leave']);
		expect(outcomes).toEqual([{reason: 'SIGHUP', summary: ['queue: web → origin left queued'], errors: []}]);
	});

	it('a signal during the questions ends without waiting for an answer', async () => {
		const log: string[] = [];
		const {outcomes, flow, shell} = await setup(queueParticipant(log));
		await shell.press(':');
		await shell.type('cexit');
		await shell.press('\r');
		await tick(50);
		flow.signal('SIGTERM');
		await tick(100);
		expect(log).toEqual(['mode=signal answer=leave']);
		expect(outcomes[0]!.reason).toBe('SIGTERM');
	});

	it('reports a participant that fails, and still finishes', async () => {
		const {outcomes, shell} = await setup({
			name: 'processes',
			plan: () => [{participant: 'processes', title: 'stop 2 workspace processes'}],
			run: async () => {
				throw new Error('kill failed: EPERM');
			},
		});
		await shell.press(':');
		await shell.type('cexit');
		await shell.press('\r');
		await tick(100);
		expect(outcomes).toEqual([{reason: 'cexit', summary: [], errors: ['processes: kill failed: EPERM']}]);
	});
});
