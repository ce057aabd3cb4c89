import {describe, expect, it} from 'vitest';
import {FrameWriter} from '../../source/ui/terminal/frame-writer.js';

const size = () => ({columns: 10, rows: 2});

/** A writer whose coalescing flushes wait in `pending` until a test runs them (or never). */
function writerWithQueue() {
	const writes: string[] = [];
	const pending: Array<() => void> = [];
	const writer = new FrameWriter({write: data => writes.push(data)}, size, flush => pending.push(flush));
	return {writer, writes, pending};
}

describe('frame writer', () => {
	it('writes the first frame at once, without waiting for a scheduled flush', () => {
		const {writer, writes, pending} = writerWithQueue();
		writer.submit('board\nready');
		expect(pending).toHaveLength(0);
		expect(writes).toHaveLength(1);
		expect(writes[0]).toContain('board');
		expect(writes[0]).toContain('ready');
		expect(writer.bytesWritten).toBe(Buffer.byteLength(writes[0]!));
	});

	it('coalesces every later frame submitted in one tick into one write', () => {
		const {writer, writes, pending} = writerWithQueue();
		writer.submit('first\nframe');
		writer.submit('one\ntwo');
		writer.submit('three\nfour');
		// The first frame alone went out; the next two wait for one flush.
		expect(writes).toHaveLength(1);
		expect(pending).toHaveLength(1);
		pending[0]!();
		expect(writes).toHaveLength(2);
		expect(writes[1]).toContain('three');
		expect(writes[1]).not.toContain('one');
		// A frame after that flush is scheduled again, not written at once.
		writer.submit('five\nsix');
		expect(writes).toHaveLength(2);
		expect(pending).toHaveLength(2);
		pending[1]!();
		expect(writes.at(-1)).toContain('five');
	});

	it('after a resize (invalidate) coalesces the repainted frame like any later one', () => {
		const {writer, writes, pending} = writerWithQueue();
		writer.submit('a\nb');
		writer.invalidate();
		writer.submit('a\nb');
		expect(writes).toHaveLength(1);
		pending[0]!();
		// Every line again, though nothing changed.
		expect(writes).toHaveLength(2);
		expect(writes[1]).toContain('a');
		expect(writes[1]).toContain('b');
	});

	it('writes nothing after stop, not even a first frame', () => {
		const {writer, writes, pending} = writerWithQueue();
		writer.stop();
		writer.submit('a\nb');
		expect(writes).toEqual([]);
		expect(pending).toEqual([]);
	});

	it('repaints every line after invalidate, and writes nothing after stop', () => {
		const writes: string[] = [];
		const writer = new FrameWriter({write: data => writes.push(data)}, size, flush => flush());
		writer.submit('a\nb');
		writer.submit('a\nb');
		expect(writes).toHaveLength(1);
		writer.repaint();
		expect(writes).toHaveLength(2);
		expect(writes[1]).toContain('a');
		writer.stop();
		writer.submit('c\nd');
		expect(writes).toHaveLength(2);
	});
});
