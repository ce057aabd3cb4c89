/**
 * Characters a terminal acts on instead of printing (C0, DEL, C1), the
 * invisible format characters (bidi overrides that reorder a line, zero
 * widths) and line separators.
 */
const HIDDEN = /[\p{Cc}\p{Cf}\u2028\u2029]/gu;

const NAMED: Record<string, string> = {'\n': '\\n', '\r': '\\r', '\t': '\\t', '\u001B': '\\e'};

/**
 * Text a process chose (its command line, its name, a rule's reason) made
 * safe to draw: every hidden character becomes a visible escape (`\e[2J`,
 * `\n`, `\x07`, `\u202e`), so a command line cannot clear the screen,
 * recolour it or make itself look like another one.
 */
export function printable(text: string): string {
	return text.replace(HIDDEN, ch => {
		const named = NAMED[ch];
		if (named) return named;
		const code = ch.codePointAt(0)!;
		return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
	});
}

/** `text` cut to `width` characters, with '…' when something was cut. */
export function clip(text: string, width: number): string {
	if (width <= 0) return '';
	const chars = [...text];
	return chars.length <= width ? text : `${chars.slice(0, width - 1).join('')}…`;
}

/** `text` clipped and padded to exactly `width` characters, on the left when `right`. */
export function cell(text: string, width: number, right = false): string {
	const clipped = clip(text, width);
	const room = width - [...clipped].length;
	return right ? `${' '.repeat(room)}${clipped}` : `${clipped}${' '.repeat(room)}`;
}

/** "1 process", "2 processes". */
export function processes(count: number): string {
	return `${count} process${count === 1 ? '' : 'es'}`;
}
