/**
 * A short torture run (30 s of chaos): one TUI in a pty, three CLI workers,
 * the headless sync worker and a killer SIGKILLing one of them every few
 * seconds; at the end nothing acknowledged may be lost and verify is clean.
 * The full run is `npm run torture` (10 minutes by default).
 */
import {spawn} from 'node:child_process';
import {fileURLToPath} from 'node:url';
import {describe, expect, it} from 'vitest';
import type {Summary} from '../../scripts/torture/summary.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

async function runTorture(args: string[]): Promise<{code: number | null; stdout: string; stderr: string}> {
	const child = spawn(process.execPath, ['scripts/run-ts.mjs', 'scripts/torture/run.ts', ...args], {cwd: REPO, stdio: ['ignore', 'pipe', 'pipe']});
	let stdout = '';
	let stderr = '';
	child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
		stdout += chunk;
	});
	child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
		stderr += chunk;
	});
	const code = await new Promise<number | null>(resolve => child.on('close', resolve));
	return {code, stdout, stderr};
}

describe('torture run', () => {
	it('loses nothing acknowledged while processes are SIGKILLed at random, and leaves a clean workspace', async () => {
		const seed = Math.floor(Math.random() * 1_000_000);
		const result = await runTorture(['--minutes', '0.5', '--seed', String(seed), '--json']);
		let summary: Summary;
		try {
			summary = JSON.parse(result.stdout) as Summary;
		} catch {
			throw new Error(`torture (seed ${seed}) printed no summary, exit ${result.code}:\n${result.stdout}\n${result.stderr}`);
		}

		const report = `seed ${seed}; lost: ${summary.lostItems.join('; ')}; problems: ${summary.problems.join('; ')}`;
		expect(summary.lostItems, report).toEqual([]);
		expect(summary.lost).toBe(0);
		expect(summary.verify.ok, report).toBe(true);
		expect(summary.problems, report).toEqual([]);
		expect(summary.kills.total).toBeGreaterThan(0);
		expect(summary.acknowledged).toBeGreaterThan(0);
		expect(summary.jobs.acknowledged).toBeGreaterThan(0);
		expect(result.code, report).toBe(0);
	}, 180_000);
});
