import {closeSync, openSync, writeSync} from 'node:fs';

/**
 * Enter the alternate screen, hide the cursor, turn line wrap off (so the
 * last column never scrolls) and ask for bracketed paste (so a paste is
 * never taken for keys). No mouse reporting: the terminal's own selection
 * and tmux scrollback keep working.
 */
export const ENTER_SEQUENCE = '\u001B[?1049h\u001B[?25l\u001B[?7l\u001B[?2004h';
/** Paste marking off, reset colours, line wrap on, cursor visible, back to the normal screen and its scrollback. */
export const RESTORE_SEQUENCE = '\u001B[?2004l\u001B[0m\u001B[?7h\u001B[?25h\u001B[?1049l';

/** Writes to the terminal synchronously; returns false when the terminal is gone. */
export type SyncWrite = (data: string) => boolean;

/**
 * Writes straight to a file descriptor, synchronously, so it also works in a
 * process 'exit' handler. A terminal that is gone (EIO after an SSH drop,
 * EPIPE, EBADF) cannot be restored and there is nobody to tell: report false.
 */
export function fdWriter(fd: number): SyncWrite {
	return data => {
		let buffer = Buffer.from(data);
		for (let attempt = 0; attempt < 50 && buffer.length > 0; attempt++) {
			try {
				const written = writeSync(fd, buffer);
				buffer = buffer.subarray(written);
			} catch (error) {
				if ((error as NodeJS.ErrnoException).code === 'EAGAIN') continue;
				return false;
			}
		}

		return buffer.length === 0;
	};
}

/**
 * The terminal modes the full-screen interface changes, and their one-time
 * restoration. `restore` is idempotent: whichever ending comes first
 * (cexit, a signal, a lost terminal, a crash, process exit) restores, and
 * the others find nothing left to do.
 */
export class TerminalModes {
	private entered = false;
	private restored = false;

	constructor(
		private readonly write: SyncWrite,
		private readonly setRawMode: (on: boolean) => void = () => {},
	) {}

	/** Switches to the alternate screen; a second call does nothing. */
	enter(): void {
		if (this.entered) return;
		this.entered = true;
		this.write(ENTER_SEQUENCE);
	}

	/**
	 * Puts the terminal back as it was; only the first call writes. Returns
	 * false when the terminal could not be written to (it is gone).
	 */
	restore(): boolean {
		if (!this.entered || this.restored) return true;
		this.restored = true;
		try {
			this.setRawMode(false);
		} catch {
			// The terminal is gone (EIO/EBADF): there is no mode left to reset.
		}

		return this.write(RESTORE_SEQUENCE);
	}

	/** True between enter() and restore(). */
	get active(): boolean {
		return this.entered && !this.restored;
	}
}

/**
 * Points standard input, output and error at /dev/null. Only for a process
 * about to exit whose terminal is gone (an SSH drop): Node 20 restores the
 * terminal modes of stdio at exit and aborts (core dump, exit 134) when that
 * fails with EIO. A descriptor that no longer refers to the terminal it
 * started with is skipped there.
 */
export function detachFromTerminal(): void {
	for (const fd of [0, 1, 2]) {
		try {
			closeSync(fd);
			openSync('/dev/null', fd === 0 ? 'r' : 'w');
		} catch {
			// Nothing better can be done for a descriptor that cannot be reopened.
		}
	}
}
