/**
 * Every way the process can be told to end, other than cexit, wired to
 * handlers. SIGINT and SIGQUIT only earn the leave hint (they never quit);
 * SIGTERM and SIGHUP ask for the signal shutdown; a terminal that is gone
 * (stdin closed, EIO, a failed write) is an SSH drop; anything thrown and
 * not caught is a crash. Returns a function that removes every listener.
 */

/** Signals whose default action would kill the process without restoring the terminal. */
const FATAL_SIGNALS = ['SIGUSR2', 'SIGALRM', 'SIGVTALRM', 'SIGXCPU', 'SIGXFSZ', 'SIGPWR'] as const;

export type EndingHandlers = {
	onInterrupt(signal: 'SIGINT' | 'SIGQUIT'): void;
	onSignal(signal: 'SIGTERM' | 'SIGHUP'): void;
	onTerminalLost(detail: string): void;
	onCrash(error: unknown, detail?: string): void;
	/** Synchronous last resort on process exit. */
	onExit(): void;
	/** The process was continued after a stop (SIGTSTP from outside): repaint. */
	onContinue(): void;
};

type Streams = {
	stdin: NodeJS.EventEmitter;
	stdout: NodeJS.EventEmitter;
};

export function watchEndings(streams: Streams, handlers: EndingHandlers, target: NodeJS.Process = process): () => void {
	const undo: Array<() => void> = [];
	const on = (emitter: NodeJS.EventEmitter, event: string, listener: (...args: any[]) => void) => {
		emitter.on(event, listener);
		undo.push(() => emitter.off(event, listener));
	};

	on(target, 'SIGINT', () => handlers.onInterrupt('SIGINT'));
	on(target, 'SIGQUIT', () => handlers.onInterrupt('SIGQUIT'));
	on(target, 'SIGTERM', () => handlers.onSignal('SIGTERM'));
	on(target, 'SIGHUP', () => handlers.onSignal('SIGHUP'));
	on(target, 'SIGCONT', () => handlers.onContinue());
	for (const signal of FATAL_SIGNALS) {
		try {
			on(target, signal, () => handlers.onCrash(new Error(`terminated by ${signal}`), signal));
		} catch {
			// Not a signal on this platform (SIGPWR outside Linux).
		}
	}

	on(streams.stdin, 'end', () => handlers.onTerminalLost('terminal input closed'));
	on(streams.stdin, 'close', () => handlers.onTerminalLost('terminal input closed'));
	const streamError = (which: string) => (error: NodeJS.ErrnoException) =>
		handlers.onTerminalLost(`terminal ${which} failed: ${error.code ?? error.message}`);
	on(streams.stdin, 'error', streamError('input'));
	on(streams.stdout, 'error', streamError('output'));
	on(target, 'uncaughtException', (error: unknown) => handlers.onCrash(error));
	on(target, 'unhandledRejection', (reason: unknown) => handlers.onCrash(reason));
	on(target, 'exit', () => handlers.onExit());
	return () => {
		for (const step of undo.reverse()) step();
	};
}
