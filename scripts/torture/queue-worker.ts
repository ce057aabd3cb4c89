/**
 * The headless sync worker (`cws queue work`), kept running beside the TUI's
 * own worker and restarted whenever the killer takes it down.
 */
import type {Fixture} from './fixture.js';
import {runCli, sleep, victims, type CliResult} from './procs.js';

export type WorkerReport = {starts: number; unexpectedExits: string[]; lastExit?: {code: number | null; signal: string | null}};

export class QueueWorkerSupervisor {
	readonly report: WorkerReport = {starts: 0, unexpectedExits: []};
	private stopping = false;
	private loop: Promise<void> | undefined;

	constructor(private readonly fixture: Fixture) {}

	start(): void {
		this.loop = this.supervise();
	}

	/** Asks the running worker to stop (SIGTERM: it puts its running jobs back) and waits for it. */
	async finish(): Promise<void> {
		this.stopping = true;
		for (const victim of victims('worker')) {
			try {
				process.kill(victim.pid, 'SIGTERM');
			} catch {}
		}

		await this.loop;
	}

	private async supervise(): Promise<void> {
		while (!this.stopping) {
			this.report.starts++;
			const result: CliResult = await runCli(this.fixture.root, ['queue', 'work'], this.fixture.env, {kind: 'worker', timeoutMs: 24 * 3600_000});
			this.report.lastExit = {code: result.code, signal: result.signal};
			if (result.killed) {
				await sleep(300);
				continue;
			}

			// Stopped by finish() with SIGTERM: a clean exit is expected.
			if (!this.stopping || result.code !== 0) {
				this.report.unexpectedExits.push(`cws queue work exited ${result.code ?? result.signal}${this.stopping ? ' on SIGTERM' : ' by itself'}: ${result.stderr.trim().slice(0, 1500)}`);
			}

			if (!this.stopping) {
				await sleep(1000);
			}
		}
	}
}
