// Draws a terminal screen as an SVG image: what a person sees in a dark
// terminal, cell for cell (character, colours incl. 256 and truecolor,
// bold, dim, italic, underline, strikethrough, inverse, the cursor). Every
// glyph gets its own x position so fonts with other advance widths stay on
// the grid, and box-drawing lines are drawn as paths so frames join up
// without gaps between rows, whatever font the viewer has.
import type {IBufferCell, Terminal} from '@xterm/headless';

/** A colour as the terminal stores it. */
export type CellColor = {kind: 'default'} | {kind: 'palette'; index: number} | {kind: 'rgb'; value: number};

/** One cell of the screen; `width` is 2 for a wide character, 0 for the cell it covers. */
export type Cell = {
	text: string;
	width: number;
	fg: CellColor;
	bg: CellColor;
	bold: boolean;
	dim: boolean;
	italic: boolean;
	underline: boolean;
	strike: boolean;
	inverse: boolean;
	invisible: boolean;
};

/** A whole screen: `cells[row][col]`. */
export type Screen = {cols: number; rows: number; cells: Cell[][]};

/** Cell size and font of the image, and the optional window frame title. */
export type SvgOptions = {title?: string; cellWidth?: number; cellHeight?: number; fontSize?: number};

const DEFAULT_COLOR: CellColor = {kind: 'default'};

/** Colours of the picture: a dark terminal whose 16 ANSI colours read well on its background. */
export const THEME = {
	background: '#1c1e22',
	foreground: '#d0d4da',
	frame: '#2a2d33',
	frameText: '#8b9099',
	ansi: [
		'#2e3138', '#e06c75', '#98c379', '#e5c07b', '#61afef', '#c678dd', '#56b6c2', '#c8ccd4',
		'#7f848e', '#f0838b', '#b0d98f', '#f0d08c', '#7dbff5', '#d69ae6', '#6fcad4', '#ffffff',
	],
} as const;

const FONT_FAMILY = 'ui-monospace, SFMono-Regular, Menlo, Consolas, \'DejaVu Sans Mono\', \'Liberation Mono\', monospace';

/** Reads the visible screen of a headless xterm; the cursor cell is drawn inverted when `cursorVisible`. */
export function readScreen(terminal: Terminal, cursorVisible: boolean): Screen {
	const buffer = terminal.buffer.active;
	const cells: Cell[][] = [];
	let scratch: IBufferCell | undefined;
	for (let row = 0; row < terminal.rows; row++) {
		const line = buffer.getLine(buffer.viewportY + row);
		const cellsOfRow: Cell[] = [];
		for (let col = 0; col < terminal.cols; col++) {
			scratch = line?.getCell(col, scratch);
			cellsOfRow.push(scratch ? toCell(scratch) : blankCell());
		}

		cells.push(cellsOfRow);
	}

	const cursor = cells[buffer.cursorY]?.[buffer.cursorX];
	if (cursorVisible && cursor) {
		cursor.inverse = !cursor.inverse;
	}

	return {cols: terminal.cols, rows: terminal.rows, cells};
}

/** The screen as plain text, one line per row, trailing blanks trimmed. */
export function screenText(screen: Screen): string {
	return screen.cells.map(row => row.map(cell => cell.text).join('').trimEnd()).join('\n') + '\n';
}

/** Escapes text for an XML text node or a double-quoted attribute. */
export function escapeXml(text: string): string {
	return text.replace(/[<>&"']/g, char => ({'<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', '\'': '&#39;'})[char]!)
		// Control characters are not allowed in XML 1.0 at all.
		.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '\uFFFD');
}

/** CSS hex of a palette index (0–15 from the theme, 16–231 the colour cube, 232–255 greys). */
export function paletteHex(index: number): string {
	if (index < 16) return THEME.ansi[index] ?? THEME.foreground;
	if (index < 232) {
		const level = (value: number) => (value === 0 ? 0 : 55 + (value * 40));
		const cube = index - 16;
		return rgbHex((level(Math.floor(cube / 36)) << 16) | (level(Math.floor(cube / 6) % 6) << 8) | level(cube % 6));
	}

	const grey = 8 + ((index - 232) * 10);
	return rgbHex((grey << 16) | (grey << 8) | grey);
}

/** The foreground and background a cell is painted with, after inverse and dim. */
export function cellColors(cell: Cell): {fg: string; bg: string | undefined} {
	let fg = colorHex(cell.fg, THEME.foreground);
	let bg = cell.bg.kind === 'default' ? undefined : colorHex(cell.bg, THEME.background);
	if (cell.inverse) {
		[fg, bg] = [bg ?? THEME.background, fg];
	}

	if (cell.dim) {
		fg = mix(fg, bg ?? THEME.background, 0.5);
	}

	return {fg, bg};
}

/** The SVG image of a screen, in a window frame when a title is given. */
export function renderSvg(screen: Screen, options: SvgOptions = {}): string {
	const cellWidth = options.cellWidth ?? 9;
	const cellHeight = options.cellHeight ?? 18;
	const fontSize = options.fontSize ?? 15;
	const pad = 14;
	const titleBar = options.title === undefined ? 0 : 30;
	const left = pad;
	const top = titleBar + pad;
	const width = (screen.cols * cellWidth) + (2 * pad);
	const height = top + (screen.rows * cellHeight) + pad;
	const baseline = Math.round(cellHeight * 0.76);

	const out: string[] = [
		`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${escapeXml(FONT_FAMILY)}" font-size="${fontSize}">`,
		`<rect width="${width}" height="${height}" rx="8" fill="${THEME.background}"/>`,
	];
	if (options.title !== undefined) {
		out.push(
			`<path d="M0 ${titleBar}V8a8 8 0 0 1 8-8H${width - 8}a8 8 0 0 1 8 8V${titleBar}Z" fill="${THEME.frame}"/>`,
			...['#ff5f57', '#febc2e', '#28c840'].map((fill, index) => `<circle cx="${18 + (index * 20)}" cy="${titleBar / 2}" r="6" fill="${fill}"/>`),
			`<text x="${width / 2}" y="${(titleBar / 2) + 5}" text-anchor="middle" font-size="13" fill="${THEME.frameText}">${escapeXml(options.title)}</text>`,
		);
	}

	const backgrounds: string[] = [];
	const texts: string[] = [];
	const lines = new Map<string, string[]>(); // Box-drawing and underline paths by colour.
	const addPath = (color: string, d: string) => {
		const list = lines.get(color) ?? [];
		list.push(d);
		lines.set(color, list);
	};

	screen.cells.forEach((row, y) => {
		const rowTop = top + (y * cellHeight);
		// Backgrounds: one rectangle per run of equal colour.
		for (let x = 0; x < row.length;) {
			const {bg} = cellColors(row[x]!);
			let end = x + 1;
			while (end < row.length && cellColors(row[end]!).bg === bg) end++;
			if (bg !== undefined) {
				backgrounds.push(`<rect x="${left + (x * cellWidth)}" y="${rowTop}" width="${(end - x) * cellWidth}" height="${cellHeight}" fill="${bg}"/>`);
			}

			x = end;
		}

		// Text: one element per run of same-styled non-blank glyphs, each glyph at its cell.
		for (let x = 0; x < row.length;) {
			const cell = row[x]!;
			const {fg} = cellColors(cell);
			const cellLeft = left + (x * cellWidth);
			if (cell.underline || cell.strike) {
				const span = Math.max(1, cell.width) * cellWidth;
				if (cell.underline) addPath(fg, `M${cellLeft} ${rowTop + cellHeight - 2.5}h${span}`);
				if (cell.strike) addPath(fg, `M${cellLeft} ${rowTop + (cellHeight / 2) + 0.5}h${span}`);
			}

			const box = cell.invisible ? undefined : boxPath(cell.text, cellLeft, rowTop, cellWidth, cellHeight);
			if (box !== undefined) {
				addPath(fg, box);
				x++;
				continue;
			}

			if (!isInk(cell)) {
				x++;
				continue;
			}

			const style = textStyle(cell, fg);
			const glyphs: string[] = [];
			const xs: number[] = [];
			let end = x;
			while (end < row.length) {
				const next = row[end]!;
				if (next.width === 0) {
					end++; // The second half of a wide character.
					continue;
				}

				if (!isInk(next) || next.underline !== cell.underline || next.strike !== cell.strike
					|| textStyle(next, cellColors(next).fg) !== style || boxPath(next.text, 0, 0, 1, 1) !== undefined) {
					break;
				}

				glyphs.push(next.text);
				xs.push(left + (end * cellWidth));
				end++;
			}

			texts.push(`<text x="${xs.join(' ')}" y="${rowTop + baseline}"${style}>${escapeXml(glyphs.join(''))}</text>`);
			x = end;
		}
	});

	out.push(...backgrounds);
	for (const [color, paths] of lines) {
		out.push(`<path d="${paths.join('')}" stroke="${color}" stroke-width="1.2" fill="none"/>`);
	}

	out.push(...texts, '</svg>', '');
	return out.join('\n');
}

/** Line segments of the box-drawing characters the interface uses: which sides each reaches, light or double. */
const BOX: Record<string, {up?: 1 | 2; down?: 1 | 2; left?: 1 | 2; right?: 1 | 2}> = {
	'─': {left: 1, right: 1}, '│': {up: 1, down: 1},
	'┌': {right: 1, down: 1}, '┐': {left: 1, down: 1}, '└': {right: 1, up: 1}, '┘': {left: 1, up: 1},
	'╭': {right: 1, down: 1}, '╮': {left: 1, down: 1}, '╰': {right: 1, up: 1}, '╯': {left: 1, up: 1},
	'├': {up: 1, down: 1, right: 1}, '┤': {up: 1, down: 1, left: 1},
	'┬': {left: 1, right: 1, down: 1}, '┴': {left: 1, right: 1, up: 1}, '┼': {up: 1, down: 1, left: 1, right: 1},
	'═': {left: 2, right: 2}, '║': {up: 2, down: 2},
	'╔': {right: 2, down: 2}, '╗': {left: 2, down: 2}, '╚': {right: 2, up: 2}, '╝': {left: 2, up: 2},
	'╠': {up: 2, down: 2, right: 2}, '╣': {up: 2, down: 2, left: 2},
	'╦': {left: 2, right: 2, down: 2}, '╩': {left: 2, right: 2, up: 2},
};

/** SVG path data for a box-drawing character in the cell at (left, top), else undefined. */
export function boxPath(char: string, left: number, top: number, width: number, height: number): string | undefined {
	const sides = BOX[char];
	if (!sides) return undefined;
	const cx = left + (Math.floor(width / 2)) + 0.5;
	const cy = top + (Math.floor(height / 2)) + 0.5;
	const right = left + width;
	const bottom = top + height;
	const gap = 2; // Half the distance between the two strokes of a double line.
	const double = Object.values(sides).includes(2);
	if (!double) {
		const parts: string[] = [];
		if (sides.left || sides.right) parts.push(`M${sides.left ? left : cx} ${cy}H${sides.right ? right : cx}`);
		if (sides.up || sides.down) parts.push(`M${cx} ${sides.up ? top : cy}V${sides.down ? bottom : cy}`);
		return parts.join('');
	}

	const horizontal = Boolean(sides.left || sides.right);
	const vertical = Boolean(sides.up || sides.down);
	if (horizontal && !vertical) return `M${left} ${cy - gap}H${right}M${left} ${cy + gap}H${right}`;
	if (vertical && !horizontal) return `M${cx - gap} ${top}V${bottom}M${cx + gap} ${top}V${bottom}`;
	if (sides.left && sides.right) {
		// ╦ or ╩: a straight line on the far side, and two corners toward the branch.
		const towards = sides.down ? 1 : -1;
		const edge = sides.down ? bottom : top;
		return `M${left} ${cy - (towards * gap)}H${right}`
			+ `M${left} ${cy + (towards * gap)}H${cx - gap}V${edge}M${right} ${cy + (towards * gap)}H${cx + gap}V${edge}`;
	}

	if (sides.up && sides.down) {
		// ╠ or ╣.
		const towards = sides.right ? 1 : -1;
		const edge = sides.right ? right : left;
		return `M${cx - (towards * gap)} ${top}V${bottom}`
			+ `M${cx + (towards * gap)} ${top}V${cy - gap}H${edge}M${cx + (towards * gap)} ${bottom}V${cy + gap}H${edge}`;
	}

	// A corner: the outer stroke turns around the inner one.
	const sx = sides.right ? 1 : -1;
	const sy = sides.down ? 1 : -1;
	const edgeX = sides.right ? right : left;
	const edgeY = sides.down ? bottom : top;
	return `M${edgeX} ${cy - (sy * gap)}H${cx - (sx * gap)}V${edgeY}M${edgeX} ${cy + (sy * gap)}H${cx + (sx * gap)}V${edgeY}`;
}

function toCell(cell: IBufferCell): Cell {
	return {
		text: cell.getChars() || ' ',
		width: cell.getWidth(),
		fg: cell.isFgRGB() ? {kind: 'rgb', value: cell.getFgColor()} : cell.isFgPalette() ? {kind: 'palette', index: cell.getFgColor()} : DEFAULT_COLOR,
		bg: cell.isBgRGB() ? {kind: 'rgb', value: cell.getBgColor()} : cell.isBgPalette() ? {kind: 'palette', index: cell.getBgColor()} : DEFAULT_COLOR,
		bold: cell.isBold() !== 0,
		dim: cell.isDim() !== 0,
		italic: cell.isItalic() !== 0,
		underline: cell.isUnderline() !== 0,
		strike: cell.isStrikethrough() !== 0,
		inverse: cell.isInverse() !== 0,
		invisible: cell.isInvisible() !== 0,
	};
}

function blankCell(): Cell {
	return {text: ' ', width: 1, fg: DEFAULT_COLOR, bg: DEFAULT_COLOR, bold: false, dim: false, italic: false, underline: false, strike: false, inverse: false, invisible: false};
}

/** Whether a cell puts a glyph on the screen. */
function isInk(cell: Cell): boolean {
	return !cell.invisible && cell.width > 0 && cell.text.trim() !== '';
}

function textStyle(cell: Cell, fg: string): string {
	return ` fill="${fg}"${cell.bold ? ' font-weight="bold"' : ''}${cell.italic ? ' font-style="italic"' : ''}`;
}

function colorHex(color: CellColor, fallback: string): string {
	if (color.kind === 'palette') return paletteHex(color.index);
	if (color.kind === 'rgb') return rgbHex(color.value);
	return fallback;
}

function rgbHex(value: number): string {
	return `#${(value & 0xFF_FF_FF).toString(16).padStart(6, '0')}`;
}

function mix(from: string, to: string, amount: number): string {
	const channel = (hex: string, shift: number) => (Number.parseInt(hex.slice(1), 16) >> shift) & 0xFF;
	let value = 0;
	for (const shift of [16, 8, 0]) {
		value |= Math.round((channel(from, shift) * (1 - amount)) + (channel(to, shift) * amount)) << shift;
	}

	return rgbHex(value);
}
