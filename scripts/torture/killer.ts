/** Every few seconds, SIGKILLs a random live process of the run: a CLI command mid-flight, the TUI or the worker. */
import {killVictim, sleep, victims, VICTIM_KINDS, type VictimKind} from './procs.js';
import type {Rng} from './random.js';

export type KillReport = Record<VictimKind, number> & {total: number; labels: Record<string, number>};

export class Killer {
	readonly report: KillReport = {total: 0, cli: 0, tui: 0, worker: 0, labels: {}};
	private stopping = false;
	private loop: Promise<void> | undefined;

	constructor(private readonly rng: Rng, private readonly intervalMs: [number, number] = [1500, 4000]) {}

	start(): void {
		this.loop = this.run();
	}

	async stop(): Promise<void> {
		this.stopping = true;
		await this.loop;
	}

	private async run(): Promise<void> {
		while (!this.stopping) {
			await sleep(this.rng.int(...this.intervalMs));
			if (this.stopping) return;
			const wanted = this.rng.weighted<VictimKind>({cli: 5, tui: 2, worker: 2});
			const kind = [wanted, ...VICTIM_KINDS.filter(other => other !== wanted)].find(candidate => victims(candidate).length > 0);
			if (!kind) continue;
			const victim = this.rng.pick(victims(kind));
			// Let a command get past start-up now and then, so kills land inside the operation too.
			const age = this.rng.int(0, kind === 'cli' ? 700 : 3000);
			const wait = victim.startedAt + age - Date.now();
			if (wait > 0) await sleep(wait);
			if (victims(kind).includes(victim) && killVictim(victim)) {
				this.report.total++;
				this.report[kind]++;
				this.report.labels[victim.label] = (this.report.labels[victim.label] ?? 0) + 1;
			}
		}
	}
}
