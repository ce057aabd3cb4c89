import xterm from '@xterm/headless';
import {describe, expect, it} from 'vitest';
import {parseLine} from '../../source/ui/terminal/cells.js';
import {diffScreens, toScreen} from '../../source/ui/terminal/frame-diff.js';
import {ENTER_SEQUENCE} from '../../source/ui/terminal/screen.js';

const {Terminal} = xterm;

/** A headless terminal in the modes the interface sets (alternate screen, no line wrap). */
async function terminal(columns: number, rows: number) {
	const term = new Terminal({cols: columns, rows, allowProposedApi: true, scrollback: 0});
	await write(term, ENTER_SEQUENCE);
	return term;
}

function write(term: InstanceType<typeof Terminal>, data: string): Promise<void> {
	return new Promise(resolve => term.write(data, resolve));
}

/** Every cell: character and the attributes a person can see. */
function cells(term: InstanceType<typeof Terminal>): string[] {
	const out: string[] = [];
	const cell = term.buffer.active.getNullCell();
	for (let y = 0; y < term.rows; y++) {
		const line = term.buffer.active.getLine(y)!;
		for (let x = 0; x < term.cols; x++) {
			line.getCell(x, cell);
			out.push([cell.getChars() || ' ', cell.getWidth(), cell.getFgColor(), cell.getBgColor(), cell.isBold(), cell.isDim(), cell.isInverse(), cell.isUnderline()].join('|'));
		}
	}

	return out;
}

/** Deterministic pseudo-random numbers, so a failure can be replayed. */
function random(seed: number) {
	let state = seed >>> 0;
	return (limit: number) => {
		state = (state * 1_664_525 + 1_013_904_223) >>> 0;
		return state % limit;
	};
}

const styles = ['', '\u001B[1m', '\u001B[7m', '\u001B[31m', '\u001B[1;33m', '\u001B[2m', '\u001B[44m', '\u001B[4m', '\u001B[90m'];
const narrow = 'abcdefghij XYZ0123─│┌┐╔═▶·✓…⠋';
const wide = '漢字';

/** A line like Ink writes: styled runs, trailing blanks trimmed, never wider than `columns`. */
function randomLine(next: (limit: number) => number, columns: number, allowWide: boolean): string {
	let width = 0;
	let out = '';
	const target = next(columns + 1);
	while (width < target) {
		const style = styles[next(styles.length)]!;
		let run = '';
		const length = 1 + next(12);
		for (let index = 0; index < length && width < target; index++) {
			if (allowWide && next(20) === 0 && width + 2 <= columns) {
				run += wide[next(wide.length)];
				width += 2;
			} else {
				run += [...narrow][next([...narrow].length)];
				width += 1;
			}
		}

		out += style === '' ? run : `${style}${run}\u001B[0m`;
	}

	return out.trimEnd();
}

function randomFrame(next: (limit: number) => number, columns: number, rows: number, allowWide: boolean): string[] {
	return Array.from({length: rows}, () => randomLine(next, columns, allowWide));
}

/** Changes a few lines of `frame`, like a cursor move or a toast would. */
function mutate(next: (limit: number) => number, frame: string[], columns: number, allowWide: boolean): string[] {
	const copy = [...frame];
	const changes = 1 + next(3);
	for (let index = 0; index < changes; index++) copy[next(copy.length)] = randomLine(next, columns, allowWide);
	return copy;
}

describe('frame diff', () => {
	it('leaves the screen exactly as a fresh full render would, over many random frame sequences', async () => {
		for (let seed = 1; seed <= 40; seed++) {
			const next = random(seed);
			const columns = 20 + next(70);
			const rows = 5 + next(20);
			const allowWide = seed % 4 === 0;
			const incremental = await terminal(columns, rows);
			let previous: ReturnType<typeof toScreen> | undefined;
			let frame = randomFrame(next, columns, rows, allowWide);
			for (let step = 0; step < 25; step++) {
				frame = next(5) === 0 ? randomFrame(next, columns, rows, allowWide) : mutate(next, frame, columns, allowWide);
				const screen = toScreen(frame.join('\n'), columns, rows);
				await write(incremental, diffScreens(previous, screen));
				previous = screen;
			}

			const fresh = await terminal(columns, rows);
			await write(fresh, diffScreens(undefined, previous!));
			expect(cells(incremental), `seed ${seed}`).toEqual(cells(fresh));
		}
	});

	it('keeps the last column of a full-width line (no erase after it)', async () => {
		const line = `${'x'.repeat(9)}\u001B[7my\u001B[0m`;
		const term = await terminal(10, 2);
		await write(term, diffScreens(undefined, toScreen(`${line}\nab`, 10, 2)));
		expect(term.buffer.active.getLine(0)!.translateToString()).toBe('xxxxxxxxxy');
		await write(term, diffScreens(toScreen(`${line}\nab`, 10, 2), toScreen(`${'x'.repeat(9)}z\nab`, 10, 2)));
		expect(term.buffer.active.getLine(0)!.translateToString()).toBe('xxxxxxxxxz');
	});

	it('sends only the changed cells of a cursor move', () => {
		const rows = Array.from({length: 24}, (_, index) => `  project-${index}`.padEnd(40) + '│ other column text');
		const before = toScreen(rows.join('\n'), 80, 24);
		const moved = [...rows];
		moved[3] = `\u001B[7m▶ project-3\u001B[27m${' '.repeat(29)}│ other column text`;
		const after = toScreen(moved.join('\n'), 80, 24);
		const bytes = Buffer.byteLength(diffScreens(before, after));
		const full = Buffer.byteLength(diffScreens(undefined, after));
		expect(bytes).toBeLessThan(40);
		expect(full).toBeGreaterThan(1500);
	});

	it('writes nothing when nothing changed', () => {
		const screen = toScreen('a\nb\nc', 10, 3);
		expect(diffScreens(screen, toScreen('a\nb\nc', 10, 3))).toBe('');
	});

	it('repaints fully after a size change, dropping lines and cells beyond the new size', async () => {
		const big = toScreen(Array.from({length: 10}, () => 'y'.repeat(30)).join('\n'), 30, 10);
		const small = toScreen(Array.from({length: 10}, () => 'z'.repeat(30)).join('\n'), 12, 4);
		expect(small.lines).toHaveLength(4);
		expect(small.lines[0]!.cells).toHaveLength(12);
		const term = await terminal(12, 4);
		await write(term, diffScreens(big, small));
		expect(term.buffer.active.getLine(3)!.translateToString()).toBe('z'.repeat(12));
	});
});

describe('cells', () => {
	it('tracks SGR state across codes and resets', () => {
		const line = parseLine('a\u001B[1;31mb\u001B[22mc\u001B[39;7md\u001B[0me');
		expect(line.cells!.map(cell => `${cell.ch}:${cell.style}`)).toEqual(['a:', 'b:1;31', 'c:31', 'd:7', 'e:']);
	});

	it('marks lines with wide characters or other escapes as opaque', () => {
		expect(parseLine('ab漢').cells).toBeUndefined();
		expect(parseLine('a\u001B]8;;http://x\u0007b').cells).toBeUndefined();
		expect(parseLine('▶ ok ✓ ⠋').cells).toHaveLength(8);
	});
});
