import type {KeyName} from './types.js';

/** The subset of Ink's `Key` flags the shell reads (structurally compatible with Ink's type). */
export type InkKey = {
	upArrow: boolean;
	downArrow: boolean;
	leftArrow: boolean;
	rightArrow: boolean;
	pageDown: boolean;
	pageUp: boolean;
	home?: boolean;
	end?: boolean;
	return: boolean;
	escape: boolean;
	ctrl: boolean;
	shift: boolean;
	tab: boolean;
	backspace: boolean;
	delete: boolean;
	meta: boolean;
};

/** One key press: its normalised name, and the character it types when printable. */
export type KeyPress = {name: KeyName; text?: string};

const controlNames: Record<string, KeyName> = {
	'\u0000': 'ctrl+space',
	'\u001C': 'ctrl+\\',
	'\u001D': 'ctrl+]',
	'\u001E': 'ctrl+^',
	'\u001F': 'ctrl+_',
	'\n': 'enter',
};

const isPrintable = (ch: string): boolean => {
	const code = ch.codePointAt(0)!;
	return code >= 0x20 && code !== 0x7f && !(code >= 0x80 && code < 0xa0);
};

/** Ink's useInput reports the bracketed-paste markers (ESC [200~ and ESC [201~) as these inputs. */
export const PASTE_START = '[200~';
export const PASTE_END = '[201~';

/** The key a single character is when it arrives inside a chunk of several. */
export function keyFromChar(ch: string): KeyPress | undefined {
	if (ch === '\r' || ch === '\n') return {name: 'enter'};
	if (ch === '\t') return {name: 'tab'};
	if (ch === '\u007F' || ch === '\b') return {name: 'backspace'};
	if (ch === ' ') return {name: 'space', text: ' '};
	const control = controlNames[ch];
	if (control) return {name: control};
	const code = ch.codePointAt(0)!;
	if (code >= 1 && code <= 26) return {name: `ctrl+${String.fromCodePoint(code + 96)}`};
	return isPrintable(ch) ? {name: ch, text: ch} : undefined;
}

/**
 * Turns what Ink's useInput reports into key presses.
 *
 * Several characters can arrive as one input: fast typing over a slow link,
 * or a paste in a terminal without bracketed paste. They become one press
 * each, Enter included, so typing `:cexit` and Enter quickly still works.
 * Bracketed pastes are told apart by the controller (PASTE_START/END) and
 * only ever reach text fields.
 */
export function keysFromInk(input: string, key: InkKey): KeyPress[] {
	const arrow = key.upArrow ? 'up' : key.downArrow ? 'down' : key.leftArrow ? 'left' : key.rightArrow ? 'right' : undefined;
	const named =
		arrow ??
		(key.pageUp ? 'pageup' : key.pageDown ? 'pagedown' : key.home ? 'home' : key.end ? 'end' : undefined);
	if (named) return [{name: key.ctrl ? `ctrl+${named}` : key.meta && !key.escape ? `alt+${named}` : named}];
	if (key.return) return [{name: key.meta && input !== '' ? 'alt+enter' : 'enter'}];
	if (key.tab) return [{name: key.shift ? 'shift+tab' : 'tab'}];
	// Ink reports DEL (what Backspace sends on most terminals) as `delete`.
	if (key.backspace || key.delete) return [{name: 'backspace'}];
	if (key.escape) return [{name: 'esc'}];
	if (input === '') return [];
	const control = controlNames[input];
	if (control) return [{name: control}];
	if (key.ctrl && input.length === 1) return [{name: `ctrl+${input.toLowerCase()}`}];
	if (key.meta && [...input].length === 1) return [{name: `alt+${input}`}];
	return [...input].flatMap(ch => keyFromChar(ch) ?? []);
}

const specialKeys = new Set([
	'enter', 'esc', 'tab', 'shift+tab', 'backspace', 'space', 'up', 'down', 'left', 'right',
	'pageup', 'pagedown', 'home', 'end', 'alt+enter',
]);

/** True when `name` is a key this module can produce (used to validate user rebinding). */
export function isValidKeyName(name: string): boolean {
	if (specialKeys.has(name)) return true;
	if ([...name].length === 1) return isPrintable(name) && name !== ' ';
	const ctrl = /^ctrl\+(.+)$/.exec(name);
	if (ctrl) {
		const rest = ctrl[1]!;
		return /^[a-z]$/.test(rest) || ['space', '\\', ']', '^', '_', 'up', 'down', 'left', 'right', 'pageup', 'pagedown', 'home', 'end'].includes(rest);
	}

	const alt = /^alt\+(.+)$/.exec(name);
	if (alt) return [...alt[1]!].length === 1 || ['up', 'down', 'left', 'right'].includes(alt[1]!);
	return false;
}

const display: Record<string, string> = {
	enter: 'Enter',
	esc: 'Esc',
	tab: 'Tab',
	'shift+tab': 'Shift+Tab',
	backspace: 'Backspace',
	space: 'Space',
	up: '↑',
	down: '↓',
	left: '←',
	right: '→',
	pageup: 'PgUp',
	pagedown: 'PgDn',
	home: 'Home',
	end: 'End',
};

/** How a key is written for people: 'ctrl+g' → 'Ctrl+G', 'up' → '↑'. */
export function formatKey(name: KeyName): string {
	const plain = display[name];
	if (plain) return plain;
	const modifier = /^(ctrl|alt)\+(.+)$/.exec(name);
	if (modifier) {
		const [, kind, rest] = modifier as unknown as [string, string, string];
		const label = display[rest] ?? (rest.length === 1 ? rest.toUpperCase() : rest);
		return `${kind === 'ctrl' ? 'Ctrl' : 'Alt'}+${label}`;
	}

	return name;
}

/** All keys of a command for people, e.g. 'j/↓'. */
export function formatKeys(names: readonly KeyName[]): string {
	return names.map(formatKey).join('/');
}
