import {formatAge} from '../core/board/index.js';

/** Characters a terminal would act on instead of print: C0, DEL, C1, and bidi controls that reorder a line. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001F\u007F-\u009F\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

const NAMED: Record<string, string> = {'\n': '\\n', '\r': '\\r', '\t': '\\t', '\u001B': '\\e'};

/**
 * Text from the disk (folder names in problems, notes, descriptions, test
 * output) as something safe to draw: every control character becomes a
 * visible escape (`\e[31m`, `\n`, `\x07`, `\u202e`), so a folder named with
 * an escape sequence shows its name instead of recolouring the screen.
 */
export function escapeControl(text: string): string {
	return text.replace(CONTROL, ch => NAMED[ch] ?? `\\${ch.charCodeAt(0) < 0x100 ? `x${ch.charCodeAt(0).toString(16).padStart(2, '0')}` : `u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`}`);
}

/** "5m", "3h", "now": how long ago, for a card. */
export function shortAge(ms: number, now: number): string {
	const text = formatAge(ms, now);
	return text === 'just now' ? 'now' : text.replace(/ ago$/, '');
}

/** "1 project", "2 projects". */
export function plural(count: number, word: string): string {
	return `${count} ${word}${count === 1 ? '' : 's'}`;
}
