/**
 * The full-screen workspace in a real pseudo-terminal (80×24, CI=false),
 * read through a headless xterm; restarted in a new pty whenever the killer
 * takes it down, given harmless keys now and then, and ended with :cexit.
 */
import type {Fixture} from './fixture.js';
import {CLI, sleep, track, untrack, type Victim} from './procs.js';
import type {Rng} from './random.js';

// Native and browser-style packages are loaded at run time, not bundled by run-ts.
const packages = {pty: 'node-pty', xterm: '@xterm/headless'};
const pty = await import(packages.pty) as typeof import('node-pty');
const {default: xterm} = await import(packages.xterm) as {default: typeof import('@xterm/headless')};

const COLS = 80;
const ROWS = 24;

/** Keys that move the cursor or the focus and change nothing in the workspace. */
const SAFE_KEYS: Record<string, string> = {
	up: '\u001B[A', down: '\u001B[B', right: '\u001B[C', left: '\u001B[D',
	tab: '\t', 'shift+tab': '\u001B[Z', '1': '1', '2': '2', '3': '3',
	home: '\u001B[H', end: '\u001B[F', pageup: '\u001B[5~', pagedown: '\u001B[6~',
};

/** One TUI process in its own pty. */
class TuiSession {
	readonly victim: Victim;
	readonly exited: Promise<{exitCode: number; signal?: number}>;
	readonly terminal = new xterm.Terminal({cols: COLS, rows: ROWS, allowProposedApi: true, scrollback: 0});
	private readonly child: import('node-pty').IPty;
	private ended = false;

	constructor(fixture: Fixture) {
		this.child = pty.spawn(process.execPath, [CLI, '--workspace', fixture.root], {
			name: 'xterm-256color', cols: COLS, rows: ROWS, cwd: fixture.base,
			env: {...fixture.env, TERM: 'xterm-256color'} as Record<string, string>,
			encoding: null,
		});
		this.victim = track('tui', this.child.pid, 'tui');
		this.child.onData(data => {
			this.terminal.write(typeof data === 'string' ? Buffer.from(data) : data);
		});
		this.exited = new Promise(resolve => {
			this.child.onExit(({exitCode, signal}) => {
				this.ended = true;
				untrack(this.victim);
				resolve({exitCode, signal});
			});
		});
	}

	get alive(): boolean {
		return !this.ended;
	}

	screen(): string {
		const lines: string[] = [];
		for (let y = 0; y < ROWS; y++) lines.push(this.terminal.buffer.active.getLine(y)?.translateToString(true) ?? '');
		return lines.join('\n');
	}

	write(data: string): void {
		if (!this.ended) this.child.write(data);
	}

	/** Waits up to `timeoutMs` for `predicate(screen)`; false on timeout or exit. */
	async waitFor(predicate: (screen: string) => boolean, timeoutMs: number): Promise<boolean> {
		const until = Date.now() + timeoutMs;
		while (Date.now() < until && !this.ended) {
			if (predicate(this.screen())) return true;
			await sleep(100);
		}

		return predicate(this.screen());
	}
}

/** Counts and findings of the TUI side of a run. */
export type TuiReport = {starts: number; keys: number; unexpectedExits: string[]; cexit?: {exitCode: number; ms: number; answered: number; screen: string}};

/** Keeps one TUI running until `finish()`. */
export class TuiSupervisor {
	readonly report: TuiReport = {starts: 0, keys: 0, unexpectedExits: []};
	private session: TuiSession | undefined;
	private stopping = false;
	private loop: Promise<void> | undefined;

	constructor(private readonly fixture: Fixture, private readonly rng: Rng) {}

	start(): void {
		this.loop = this.supervise();
		void this.typeKeys();
	}

	/** Ends the run's TUI with :cexit (starting a fresh one if none is up); its exit code is in the report. */
	async finish(): Promise<void> {
		this.stopping = true;
		await this.loop;
		const session = this.session?.alive ? this.session : this.spawn();
		const started = Date.now();
		await session.waitFor(screen => screen.includes('Stage board'), 60_000);
		await sleep(500);
		// Close whatever overlay a key may have opened, then the command line.
		session.write('\u0007');
		await sleep(500);
		session.write(':');
		await session.waitFor(screen => screen.includes('Command line'), 10_000);
		session.write('cexit');
		await sleep(300);
		session.write('\r');
		let answered = 0;
		const exited = session.exited.then(exit => exit);
		let exit: {exitCode: number} | undefined;
		while (!exit && Date.now() - started < 180_000) {
			exit = await Promise.race([exited, sleep(1000).then(() => undefined)]);
			if (!exit && session.screen().includes('Enter confirm')) {
				// A question of the shutdown (final syncs, processes): take the offered choice.
				session.write('\r');
				answered++;
			}
		}

		const screen = session.screen();
		if (!exit) {
			try {
				process.kill(session.victim.pid, 'SIGKILL');
			} catch {}
		}

		this.report.cexit = {exitCode: exit?.exitCode ?? -1, ms: Date.now() - started, answered, screen};
	}

	private spawn(): TuiSession {
		this.session = new TuiSession(this.fixture);
		this.report.starts++;
		return this.session;
	}

	private async supervise(): Promise<void> {
		while (!this.stopping) {
			const session = this.spawn();
			const exit = await Promise.race([session.exited, this.whenStopping()]);
			if (!exit) {
				return;
			}

			if (!session.victim.killed || exit.signal !== 9) {
				this.report.unexpectedExits.push(`TUI exited by itself (code ${exit.exitCode}, signal ${exit.signal ?? 0}); last screen:\n${session.screen()}`);
			}

			await sleep(this.rng.int(200, 1000));
		}
	}

	private async whenStopping(): Promise<undefined> {
		while (!this.stopping) await sleep(200);
		return undefined;
	}

	private async typeKeys(): Promise<void> {
		const names = Object.keys(SAFE_KEYS);
		while (!this.stopping) {
			await sleep(this.rng.int(300, 1500));
			const session = this.session;
			if (!this.stopping && session?.alive && session.screen().includes('Stage board')) {
				session.write(SAFE_KEYS[this.rng.pick(names)]!);
				this.report.keys++;
			}
		}
	}
}
