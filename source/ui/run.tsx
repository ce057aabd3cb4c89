import {render} from 'ink';
import {LEAVE_HINT} from '../commands/app.js';
import {buildRegistry, DEFAULT_COMMANDS} from '../commands/registry.js';
import type {ShellServices} from '../commands/types.js';
import {commandLog} from '../core/command-log.js';
import {formatError} from '../core/errors.js';
import type {SessionEndReason, SessionRecorder} from '../core/session.js';
import {ShutdownRegistry} from '../core/shutdown.js';
import {openWorkspace} from '../core/workspace.js';
import {App} from './app.js';
import {ShellController} from './controller.js';
import {captureConsole} from './console-capture.js';
import {touchedProjectNotes} from './exit-notes.js';
import {FIRST_DATA_WAIT_MS, firstDataSources, untilReady} from './first-data.js';
import {watchEndings} from './endings.js';
import {faultFrom, FaultTrigger} from './fault.js';
import {readSize} from './hooks/use-terminal-size.js';
import {PANES} from './panes/index.js';
import {loadPreferences} from './prefs.js';
import {ShutdownFlow, type ShutdownOutcome} from './shutdown-flow.js';
import {RecoveryNotices, startupBanner, withNoticeLine} from './recovery-notices.js';
import {sessionNotice, startSessionRecord} from './session-start.js';
import {FrameWriter} from './terminal/frame-writer.js';
import {InkStdout} from './terminal/ink-stdout.js';
import {detachFromTerminal, fdWriter, TerminalModes} from './terminal/screen.js';
import {applyColorLevel, makeTheme} from './theme.js';

export type TuiOptions = {
	root: string;
	color: boolean;
	env: NodeJS.ProcessEnv;
	/** Prints a line before the full screen opens (that the workspace was created). */
	stderr?: (text: string) => void;
};

/** The process must be gone this long after SIGTERM/SIGHUP, whatever hangs. */
const SIGNAL_DEADLINE_MS = 4500;

/** How long leaving waits for the session record's start, if it is still being written. */
const SESSION_START_WAIT_MS = 1500;

const exitCodes: Record<SessionEndReason, number> = {cexit: 0, SIGHUP: 129, SIGTERM: 143, 'tty-lost': 129, crash: 1};

const firstLine = (text: string): string => text.split('\n')[0]!;

/**
 * Runs the full-screen workspace until it is left (cexit), told to end
 * (SIGTERM, SIGHUP), loses its terminal, or crashes; resolves with the exit
 * code once the terminal is restored: 0 after cexit, 128+signal after a
 * signal, 129 after a lost terminal, 1 after a crash.
 */
export async function runTui(options: TuiOptions): Promise<number> {
	const {stdin, stdout} = process;
	// Creates a missing workspace; its errors (a file at the root, no
	// permission) end the start before the screen changes, printed by the CLI.
	const workspace = await openWorkspace(options.root);
	if (workspace.created) options.stderr?.(`Created a new workspace at ${workspace.paths.root}`);
	const recoveries = new RecoveryNotices(workspace.store, workspace.paths.root);
	const prefs = await loadPreferences(options.env);
	const registry = buildRegistry(DEFAULT_COMMANDS, prefs.keys);
	const theme = makeTheme(options.color && prefs.theme !== 'mono');
	applyColorLevel();
	const warnings = [...prefs.warnings, ...registry.warnings];
	// Mostly waiting on the disk, as the panes' first reads are: the two run
	// side by side, and the first frame does not wait for the record (its
	// notice, when it has one, is drawn when the record has started).
	const session = startSessionRecord(workspace);
	/** Ends the session's record; none when its start could not be written. */
	let recorder: SessionRecorder | undefined = session.recorder;

	const shutdown = new ShutdownRegistry();
	const services: ShellServices = {
		paths: workspace.paths,
		store: workspace.store,
		env: options.env,
		session: session.recorder,
		commandLog,
		shutdown,
	};

	const modes = new TerminalModes(fdWriter(1), on => {
		if (stdin.isTTY) stdin.setRawMode(on);
	});
	const writer = new FrameWriter({write: data => stdout.write(data)}, () => readSize(stdout));
	const inkStdout = new InkStdout(stdout, frame => writer.submit(frame));
	// The preferences' warnings are known now: in the first frame's notice.
	const banner = startupBanner(warnings);
	const controller = new ShellController({
		registry,
		panes: PANES,
		services,
		...(banner ? {banner} : {}),
		onRedraw: () => writer.repaint(),
	});

	/** Set once the session is ending: what its record's start finds is then left for the next start. */
	let ending = false;
	const addNotice = (line: string) => controller.dispatch({type: 'banner', lines: withNoticeLine(controller.getState().banner, line)});
	/** The session record has started (or failed): the notice adds what it found, then what recovery finds. */
	const sessionReady = sessionNotice(session, workspace.sweep, () => ending).then(({lines, recorded}) => {
		if (!recorded) recorder = undefined;
		if (ending) return;
		for (const line of lines) addNotice(line);
		// Shows the recoveries seen so far, then each one as it comes.
		recoveries.attach(addNotice);
	});
	const startedAt = Date.now();
	return new Promise<number>(resolve => {
		let finished = false;
		/** Set once the terminal is known to be gone: nothing is printed, stdio is detached before exit. */
		let terminalGone = false;
		let dispose = () => {};
		let ink: ReturnType<typeof render> | undefined;

		const printAfter = (lines: string[]) => {
			if (!terminalGone && lines.length > 0) fdWriter(1)(`${lines.join('\n')}\n`);
		};

		/** Restores the terminal; when it is gone, detaches from it so the exit cannot abort. */
		const release = () => {
			if (!modes.restore()) terminalGone = true;
			if (terminalGone) detachFromTerminal();
		};

		/** The one way out: record the end, unmount, restore the terminal, resolve. */
		const finish = async (outcome: ShutdownOutcome, detail?: string) => {
			if (finished) return;
			finished = true;
			ending = true;
			controller.stop();
			const errors = [...outcome.errors];
			// An end asked for while the record's start is being written waits for it, briefly
			// (its lock may be held elsewhere): the end line closes the session either way.
			let waited: NodeJS.Timeout | undefined;
			await Promise.race([
				sessionReady.catch((error: unknown) => errors.push(`session record: ${firstLine(formatError(error))}`)),
				new Promise(done => {
					waited = setTimeout(done, SESSION_START_WAIT_MS);
				}),
			]);
			clearTimeout(waited);
			const signalled = outcome.reason !== 'cexit';
			await recorder?.end(outcome.reason, detail, signalled ? 300 : 1500).catch((error: unknown) => errors.push(`session record: ${firstLine(formatError(error))}`));
			writer.stop();
			ink?.unmount();
			dispose();
			release();
			const minutes = Math.round((Date.now() - startedAt) / 60_000);
			const projects = recorder?.touched() ?? [];
			const touchedLine = projects.length > 0 ? [`projects touched: ${projects.join(', ')}`] : [];
			// Under a signal the deadline no longer guards this point: name the projects without reading.
			const notes = signalled || terminalGone
				? touchedLine
				: await touchedProjectNotes(workspace.store, projects).catch((error: unknown) => {
					errors.push(`project notes: ${firstLine(formatError(error))}`);
					return touchedLine;
				});
			printAfter([
				`cws: session ended (${outcome.reason}${detail ? `: ${detail}` : ''}) after ${minutes} min.`,
				...outcome.summary,
				...notes,
				...errors.map(error => `cws: ${error}`),
			]);
			resolve(exitCodes[outcome.reason]);
		};

		const flow = new ShutdownFlow(controller, () => shutdown.participants(), outcome => void finish(outcome));
		controller.setShutdownHandler(flow);

		/** Ends now, synchronously where it matters: the program is in an unknown state. */
		const crash = (error: unknown, detail?: string) => {
			if (finished) return;
			finished = true;
			ending = true;
			writer.stop();
			try {
				ink?.unmount();
			} catch {
				// The tree is what crashed; the terminal still gets restored below.
			}

			dispose();
			if (!modes.restore()) terminalGone = true;
			const report: string[] = [];
			try {
				recorder?.endSync('crash', detail ?? firstLine(formatError(error)));
			} catch (recordError) {
				report.push(`cws: the session record could not be written: ${formatError(recordError)}`);
			}

			report.push(`cws: ${detail ? `terminated by ${detail}` : 'unexpected error (this is a bug; please report it)'}`, formatError(error));
			if (!terminalGone) fdWriter(2)(`${report.join('\n')}\n`);
			else detachFromTerminal();
			resolve(exitCodes.crash);
		};

		const deadline = (reason: SessionEndReason) => {
			setTimeout(() => {
				if (finished) return;
				finished = true;
				ending = true;
				writer.stop();
				dispose();
				try {
					recorder?.endSync(reason, 'shutdown did not finish in time');
				} catch {
					// Out of time: the next start reports this session as unclean instead.
				}

				release();
				resolve(exitCodes[reason]);
			}, SIGNAL_DEADLINE_MS).unref();
		};

		dispose = watchEndings(
			{stdin, stdout},
			{
				onInterrupt: () => controller.toast('info', LEAVE_HINT),
				onSignal(signal) {
					deadline(signal);
					flow.signal(signal);
				},
				onTerminalLost() {
					// Nothing can be drawn any more; finish the shutdown without a screen.
					terminalGone = true;
					writer.stop();
					deadline('tty-lost');
					flow.signal('tty-lost');
				},
				onCrash: crash,
				onExit() {
					if (!modes.restore()) terminalGone = true;
					if (terminalGone) detachFromTerminal();
					if (!finished) recorder?.endSync('crash', 'process exited without a shutdown');
				},
				onContinue() {
					if (stdin.isTTY) stdin.setRawMode(true);
					writer.repaint();
				},
			},
		);

		const onResize = () => {
			writer.invalidate();
			inkStdout.emit('resize');
		};

		stdout.on('resize', onResize);
		const releaseConsole = captureConsole((level, text) => controller.toast(level, text));
		const stopWatching = dispose;
		dispose = () => {
			stopWatching();
			stdout.off('resize', onResize);
			releaseConsole();
			recoveries.stop();
		};

		modes.enter();
		const mount = () => {
			if (finished) return;
			try {
				const fault = faultFrom(options.env);
				const tree = <App controller={controller} panes={PANES} theme={theme} terminal={stdout} />;
				ink = render(fault ? <>{tree}<FaultTrigger fault={fault} /></> : tree, {
					stdout: inkStdout as unknown as NodeJS.WriteStream,
					stdin,
					debug: true,
					exitOnCtrlC: false,
					patchConsole: false,
				});
				ink.waitUntilExit().catch((error: unknown) => crash(error));
			} catch (error) {
				crash(error);
			}
		};

		try {
			// The feeds start before the first frame, which waits (briefly) for
			// their first data: one frame with the cards instead of a placeholder
			// redrawn as each feed arrives.
			controller.start();
			// The line printed before the full screen opened is hidden by it at once: say it again.
			if (workspace.created) controller.toast('info', `Created a new workspace at ${workspace.paths.root}`);
			void untilReady(firstDataSources(services), FIRST_DATA_WAIT_MS).then(mount);
			// Drawing the notice failed: the interface is in an unknown state (while leaving, finish reports it).
			sessionReady.catch((error: unknown) => crash(error));
		} catch (error) {
			crash(error);
		}
	});
}
