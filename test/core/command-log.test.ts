import {execa} from 'execa';
import {describe, expect, it} from 'vitest';
import {CommandLog, logCommand} from '../../source/core/command-log.js';

describe('CommandLog', () => {
	it('records a command from start to end with exit code and duration, telling listeners', () => {
		let now = 1000;
		const log = new CommandLog(500, () => now);
		let changes = 0;
		log.subscribe(() => changes++);
		const run = log.begin('git', ['push', '--', 'origin'], {cwd: '/w', source: 'queue'});
		expect(log.entries()).toEqual([expect.objectContaining({command: 'git', status: 'running', cwd: '/w', source: 'queue'})]);
		now = 1250;
		run.end({exitCode: 0});
		run.end({exitCode: 1});
		expect(log.entries()[0]).toMatchObject({status: 'ok', exitCode: 0, durationMs: 250});
		expect(changes).toBe(2);
	});

	it('marks non-zero exits, signals and spawn errors as failed, and keeps only the newest entries', () => {
		const log = new CommandLog(2);
		log.begin('a', []).end({exitCode: 1});
		log.begin('b', []).end({signal: 'SIGKILL'});
		log.begin('c', []).end({error: 'spawn c ENOENT'});
		expect(log.entries().map(entry => [entry.command, entry.status])).toEqual([
			['b', 'failed'],
			['c', 'failed'],
		]);
	});

	it('logCommand wraps a real child process, and records failures before rethrowing them', async () => {
		const log = new CommandLog();
		await logCommand('node', ['-e', 'process.exit(0)'], () => execa('node', ['-e', 'process.exit(0)']), {log});
		await expect(logCommand('node', ['-e', 'process.exit(3)'], () => execa('node', ['-e', 'process.exit(3)']), {log})).rejects.toThrow();
		expect(log.entries().map(entry => [entry.status, entry.exitCode])).toEqual([
			['ok', 0],
			['failed', 3],
		]);
		expect(log.entries()[1]!.error).toMatch(/exit code 3/);
	});
});
