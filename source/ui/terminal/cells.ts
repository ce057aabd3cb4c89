/**
 * Turns one line of Ink output (text with SGR colour codes) into terminal
 * cells, so the frame writer can compare two frames cell by cell and send
 * only what changed.
 *
 * Only lines whose every character is certainly one column wide are split
 * into cells. Anything else (wide CJK or emoji, combining marks, escape
 * sequences other than SGR) marks the line as opaque: the writer then
 * rewrites that whole line when it changes, which is always correct.
 */

/** One terminal cell: its character and the SGR parameters that style it ('' = default). */
export type Cell = {ch: string; style: string};

/** A parsed frame line: cells when the line is simple, else only the raw text. */
export type Line = {raw: string; cells: Cell[] | undefined};

type Sgr = {
	fg: string;
	bg: string;
	bold: boolean;
	dim: boolean;
	italic: boolean;
	underline: boolean;
	blink: boolean;
	inverse: boolean;
	hidden: boolean;
	strike: boolean;
};

const plain = (): Sgr => ({
	fg: '',
	bg: '',
	bold: false,
	dim: false,
	italic: false,
	underline: false,
	blink: false,
	inverse: false,
	hidden: false,
	strike: false,
});

/** SGR parameters that set `state` starting from a reset; '' for the default style. */
function styleKey(state: Sgr): string {
	const parts: string[] = [];
	if (state.bold) parts.push('1');
	if (state.dim) parts.push('2');
	if (state.italic) parts.push('3');
	if (state.underline) parts.push('4');
	if (state.blink) parts.push('5');
	if (state.inverse) parts.push('7');
	if (state.hidden) parts.push('8');
	if (state.strike) parts.push('9');
	if (state.fg) parts.push(state.fg);
	if (state.bg) parts.push(state.bg);
	return parts.join(';');
}

/** Applies one SGR parameter list to `state`; false when it holds something not understood. */
function applySgr(state: Sgr, parameters: string): boolean {
	const codes = parameters === '' ? [0] : parameters.split(';').map(Number);
	for (let index = 0; index < codes.length; index++) {
		const code = codes[index]!;
		if (Number.isNaN(code)) return false;
		if (code === 0) Object.assign(state, plain());
		else if (code === 1) state.bold = true;
		else if (code === 2) state.dim = true;
		else if (code === 3) state.italic = true;
		else if (code === 4) state.underline = true;
		else if (code === 5) state.blink = true;
		else if (code === 7) state.inverse = true;
		else if (code === 8) state.hidden = true;
		else if (code === 9) state.strike = true;
		else if (code === 22) {
			state.bold = false;
			state.dim = false;
		} else if (code === 23) state.italic = false;
		else if (code === 24) state.underline = false;
		else if (code === 25) state.blink = false;
		else if (code === 27) state.inverse = false;
		else if (code === 28) state.hidden = false;
		else if (code === 29) state.strike = false;
		else if ((code >= 30 && code <= 37) || (code >= 90 && code <= 97)) state.fg = String(code);
		else if (code === 39) state.fg = '';
		else if ((code >= 40 && code <= 47) || (code >= 100 && code <= 107)) state.bg = String(code);
		else if (code === 49) state.bg = '';
		else if (code === 38 || code === 48) {
			// 256-colour (5;n) or true colour (2;r;g;b): keep the whole group.
			const mode = codes[index + 1];
			const length = mode === 5 ? 2 : mode === 2 ? 4 : -1;
			if (length < 0 || index + length >= codes.length) return false;
			const group = codes.slice(index, index + length + 1).join(';');
			if (code === 38) state.fg = group;
			else state.bg = group;
			index += length;
		} else return false;
	}

	return true;
}

/** True for code points that every terminal draws one column wide. */
function isNarrow(codePoint: number): boolean {
	return (
		(codePoint >= 0x20 && codePoint <= 0x7e) ||
		(codePoint >= 0xa0 && codePoint <= 0x2ff) ||
		(codePoint >= 0x2010 && codePoint <= 0x2027) ||
		(codePoint >= 0x2030 && codePoint <= 0x205e) ||
		(codePoint >= 0x2190 && codePoint <= 0x21ff) ||
		(codePoint >= 0x2500 && codePoint <= 0x25ff) ||
		(codePoint >= 0x2800 && codePoint <= 0x28ff) ||
		codePoint === 0x2713 ||
		codePoint === 0x2717 ||
		codePoint === 0x00d7
	);
}

const sgrPattern = /^\u001B\[([0-9;]*)m/;

/** Splits a rendered line into cells, or marks it opaque (see the module comment). */
export function parseLine(raw: string): Line {
	const cells: Cell[] = [];
	const state = plain();
	let style = '';
	let index = 0;
	while (index < raw.length) {
		const codePoint = raw.codePointAt(index)!;
		if (codePoint === 0x1b) {
			const match = sgrPattern.exec(raw.slice(index, index + 64));
			if (!match || !applySgr(state, match[1]!)) return {raw, cells: undefined};
			style = styleKey(state);
			index += match[0].length;
			continue;
		}

		if (!isNarrow(codePoint)) return {raw, cells: undefined};
		const ch = String.fromCodePoint(codePoint);
		cells.push({ch, style});
		index += ch.length;
	}

	return {raw, cells};
}

/** The SGR sequence that switches the terminal to `style` from any state. */
export function sgr(style: string): string {
	return style === '' ? '\u001B[0m' : `\u001B[0;${style}m`;
}
