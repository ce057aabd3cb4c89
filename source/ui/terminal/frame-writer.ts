import {diffScreens, toScreen, type Screen} from './frame-diff.js';

/** Where frames go: the real terminal (or a test sink). */
export type FrameSink = {write(data: string): unknown};

/** Size of the terminal in cells. */
export type TerminalSize = {columns: number; rows: number};

/**
 * Receives every full frame Ink renders and writes only the difference to
 * the terminal. Frames that arrive in the same tick are coalesced, so a
 * burst of React commits costs one write. The very first frame is written
 * at once: it is what a starting user waits for, and coalescing it would
 * put it behind the effects its own render started (a worker thread's
 * start, look-ups), milliseconds each.
 */
export class FrameWriter {
	private shown: Screen | undefined;
	private pending: string | undefined;
	private scheduled = false;
	private stopped = false;
	private first = true;
	private written = 0;

	constructor(
		private readonly sink: FrameSink,
		private readonly size: () => TerminalSize,
		private readonly schedule: (flush: () => void) => void = flush => setImmediate(flush),
	) {}

	/** Accepts a complete frame (lines joined by '\n'). */
	submit(frame: string): void {
		if (this.stopped) return;
		this.pending = frame;
		if (this.first) {
			this.first = false;
			this.flush();
			return;
		}

		if (this.scheduled) return;
		this.scheduled = true;
		this.schedule(() => {
			this.scheduled = false;
			this.flush();
		});
	}

	/** Writes the pending frame now. */
	flush(): void {
		if (this.stopped || this.pending === undefined) return;
		const {columns, rows} = this.size();
		const next = toScreen(this.pending, columns, rows);
		this.pending = undefined;
		const bytes = diffScreens(this.shown, next);
		this.shown = next;
		if (bytes !== '') {
			this.written += Buffer.byteLength(bytes);
			this.sink.write(bytes);
		}
	}

	/** Forgets what is on screen, so the next frame repaints every line (after a resize). */
	invalidate(): void {
		this.shown = undefined;
	}

	/** Re-sends the last frame in full (after something else drew on the screen). */
	repaint(): void {
		if (this.shown && this.pending === undefined) {
			this.pending = this.shown.lines.map(line => line.raw).join('\n');
		}

		this.invalidate();
		this.flush();
	}

	/** Stops writing for good: the terminal is about to be restored. */
	stop(): void {
		this.stopped = true;
		this.pending = undefined;
	}

	/** Bytes written so far (for measurements). */
	get bytesWritten(): number {
		return this.written;
	}
}
