import {parseLine, sgr, type Cell, type Line} from './cells.js';

/**
 * Computes the bytes that turn the terminal screen showing `previous` into
 * one showing `next`, using absolute cursor positioning (CUP) and only the
 * cells that changed. This is what keeps a cursor move over SSH at a few
 * hundred bytes instead of a whole 80×24 redraw (Ink's own writer erases and
 * rewrites every line).
 *
 * Assumes the alternate screen with line wrap off, so writing up to the
 * last column never scrolls.
 */

/** A frame as shown on screen: exactly `rows` parsed lines, none wider than `columns`. */
export type Screen = {columns: number; rows: number; lines: Line[]};

const blank: Cell = {ch: ' ', style: ''};

/** Cuts Ink's frame text into exactly `rows` lines (extra lines dropped, missing ones blank). */
export function toScreen(frame: string, columns: number, rows: number): Screen {
	const texts = frame.split('\n');
	const lines: Line[] = [];
	for (let row = 0; row < rows; row++) {
		const line = parseLine(texts[row] ?? '');
		if (line.cells && line.cells.length > columns) {
			lines.push({raw: line.raw, cells: line.cells.slice(0, columns)});
		} else {
			lines.push(line);
		}
	}

	return {columns, rows, lines};
}

function cup(row: number, column: number): string {
	return column === 0 ? `\u001B[${row + 1}H` : `\u001B[${row + 1};${column + 1}H`;
}

function cellAt(cells: Cell[], index: number): Cell {
	return cells[index] ?? blank;
}

function sameCell(a: Cell, b: Cell): boolean {
	return a.ch === b.ch && a.style === b.style;
}

/** Index after the last cell that is not a default-styled space. */
function contentEnd(cells: Cell[]): number {
	let end = cells.length;
	while (end > 0 && sameCell(cells[end - 1]!, blank)) end--;
	return end;
}

/** Writes a whole line from column 0, then erases the rest of it. */
function wholeLine(row: number, line: Line, columns: number): string {
	// An opaque line's width is unknown: erase the row first, then write it.
	if (!line.cells) return `${cup(row, 0)}\u001B[0m\u001B[2K${line.raw}`;
	const end = contentEnd(line.cells);
	return `${cup(row, 0)}${cellsText(line.cells, 0, end)}${eraseAfter(end, columns)}`;
}

/**
 * Resets the style and erases to the end of the line, unless the content
 * reached the last column: there the cursor still sits on the last cell and
 * erasing would wipe it.
 */
function eraseAfter(end: number, columns: number): string {
	return end < columns ? '\u001B[0m\u001B[K' : '';
}

/** The cells [from, to) with the SGR changes they need, starting from an unknown style. */
function cellsText(cells: Cell[], from: number, to: number): string {
	let out = '';
	let style: string | undefined;
	for (let index = from; index < to; index++) {
		const cell = cellAt(cells, index);
		if (cell.style !== style) {
			out += sgr(cell.style);
			style = cell.style;
		}

		out += cell.ch;
	}

	return out;
}

/**
 * Merging two changed runs costs the unchanged cells between them; keeping
 * them apart costs a cursor move (up to 8 bytes) and a style reset.
 */
const mergeGap = 8;

/** Bytes that turn row `row` from `before` into `after` (both simple lines). */
function lineDiff(row: number, before: Cell[], after: Cell[], columns: number): string {
	const width = Math.min(columns, Math.max(before.length, after.length));
	const runs: Array<[number, number]> = [];
	for (let index = 0; index < width; index++) {
		if (sameCell(cellAt(before, index), cellAt(after, index))) continue;
		const last = runs.at(-1);
		if (last && index - last[1] <= mergeGap) last[1] = index + 1;
		else runs.push([index, index + 1]);
	}

	if (runs.length === 0) return '';
	const afterEnd = contentEnd(after);
	let out = '';
	for (const [from, to] of runs) {
		// A run that reaches past the new content is cheaper as "write, then erase to end of line".
		if (to >= afterEnd && afterEnd < width) {
			out += `${cup(row, from)}${cellsText(after, from, Math.max(from, afterEnd))}${eraseAfter(afterEnd, columns)}`;
			break;
		}

		out += cup(row, from) + cellsText(after, from, to);
	}

	return out;
}

/**
 * Bytes that bring the terminal from `previous` (undefined = unknown, e.g.
 * after a resize) to `next`. An unknown previous screen is fully repainted
 * line by line, each line erased to its end: no clear-screen, so no flicker.
 */
export function diffScreens(previous: Screen | undefined, next: Screen): string {
	const full = !previous || previous.columns !== next.columns || previous.rows !== next.rows;
	let out = '';
	for (let row = 0; row < next.rows; row++) {
		const after = next.lines[row]!;
		if (full) {
			out += wholeLine(row, after, next.columns);
			continue;
		}

		const before = previous.lines[row]!;
		if (before.raw === after.raw) continue;
		out += before.cells && after.cells ? lineDiff(row, before.cells, after.cells, next.columns) : wholeLine(row, after, next.columns);
	}

	return out === '' ? out : `${out}\u001B[0m`;
}
