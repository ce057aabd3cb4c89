import {EventEmitter} from 'node:events';

/**
 * The stdout Ink renders into. Ink runs in debug mode, where every render
 * writes the complete frame; this stream hands each frame to the frame
 * writer instead of the terminal. Size questions go to the real terminal,
 * and the owner re-emits its 'resize' here (Ink listens for it).
 */
export class InkStdout extends EventEmitter {
	/** Not a TTY: Ink's cursor helpers then leave the real terminal alone. */
	readonly isTTY = false;

	constructor(
		private readonly terminal: {readonly columns?: number; readonly rows?: number},
		private readonly onFrame: (frame: string) => void,
	) {
		super();
	}

	get columns(): number {
		return this.terminal.columns || 80;
	}

	get rows(): number {
		return this.terminal.rows || 24;
	}

	write(chunk: string | Uint8Array, encoding?: unknown, callback?: unknown): boolean {
		const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
		if (text !== '') this.onFrame(text);
		const done = typeof encoding === 'function' ? encoding : callback;
		if (typeof done === 'function') queueMicrotask(() => (done as () => void)());
		return true;
	}
}
