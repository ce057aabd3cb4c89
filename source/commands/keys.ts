import type {KeyName} from './types.js';

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

/** Bracketed paste: the terminal wraps pasted text in these (enabled at start, see screen.ts). */
export const PASTE_START = '\u001B[200~';
export const PASTE_END = '\u001B[201~';

/** The key a single character is. */
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

const csiLetters: Record<string, KeyName> = {A: 'up', B: 'down', C: 'right', D: 'left', H: 'home', F: 'end', E: 'clear'};
const csiTilde: Record<string, KeyName> = {
	'1': 'home', '2': 'insert', '3': 'delete', '4': 'end', '5': 'pageup', '6': 'pagedown', '7': 'home', '8': 'end',
	'11': 'f1', '12': 'f2', '13': 'f3', '14': 'f4', '15': 'f5', '17': 'f6', '18': 'f7', '19': 'f8', '20': 'f9', '21': 'f10', '23': 'f11', '24': 'f12',
};
const ss3: Record<string, KeyName> = {...csiLetters, P: 'f1', Q: 'f2', R: 'f3', S: 'f4'};

/** 'ctrl+alt+up' from an xterm modifier parameter (1 + shift·1 + alt·2 + ctrl·4). */
function withModifiers(name: KeyName, parameter: string | undefined): KeyName {
	const bits = Math.max(0, Number(parameter ?? '1') - 1);
	if (!Number.isSafeInteger(bits)) return name;
	return `${bits & 4 ? 'ctrl+' : ''}${bits & 2 ? 'alt+' : ''}${bits & 1 ? 'shift+' : ''}${name}`;
}

/** An escape sequence (CSI or SS3) as a key; undefined for anything that is not a key (reports, mouse). */
function keyFromEscape(sequence: string): KeyName | undefined {
	const csi = /^\u001B\[\[?([0-9;]*)([\u0020-\u002F]*)([\u0040-\u007E])$/.exec(sequence);
	if (csi) {
		const [, parameters = '', intermediates, final] = csi;
		if (intermediates) return undefined;
		const [first, modifier] = parameters.split(';');
		if (final === 'Z' && parameters === '') return 'shift+tab';
		if (final === '~') {
			const name = csiTilde[first ?? ''];
			return name ? withModifiers(name, modifier) : undefined;
		}

		const name = csiLetters[final!];
		// ESC [ 1 ; 5 C is Ctrl+→; ESC [ 999 ; 999 R is a cursor report, not a key.
		if (!name || (first !== '' && first !== '1')) return undefined;
		return withModifiers(name, modifier);
	}

	const three = /^\u001BO([A-Z])$/.exec(sequence);
	return three ? ss3[three[1]!] : undefined;
}

/**
 * Turns one input event of Ink's stdin parser (a run of plain characters,
 * or one escape sequence) into key presses. Ink's own useInput is not used:
 * it throws on unknown sequences with modifiers (ESC [ 999 ; 999 R, which a
 * terminal sends as a cursor report) and loses keys such as Ctrl+\.
 *
 * Several plain characters can arrive as one event: fast typing over a slow
 * link, or a paste in a terminal without bracketed paste. They become one
 * press each, Enter included, so typing `:cexit` and Enter quickly works.
 * Bracketed pastes are told apart by the controller (PASTE_START/END) and
 * only ever reach text fields.
 */
export function keysFromSequence(sequence: string): KeyPress[] {
	if (!sequence.startsWith('\u001B')) return [...sequence].flatMap(ch => keyFromChar(ch) ?? []);
	if (sequence === '\u001B' || sequence === '\u001B\u001B') return [{name: 'esc'}];
	const direct = keyFromEscape(sequence);
	if (direct) return [{name: direct}];
	// ESC ESC [ A: some terminals send Alt+arrow this way.
	if (sequence.startsWith('\u001B\u001B')) {
		const inner = keyFromEscape(sequence.slice(1));
		return inner && !inner.startsWith('alt+') ? [{name: `alt+${inner}`}] : [];
	}

	const rest = [...sequence.slice(1)];
	if (rest.length === 1) {
		const key = keyFromChar(rest[0]!);
		if (key) return [{name: key.text === undefined ? `alt+${key.name}` : `alt+${key.text === ' ' ? 'space' : key.text}`}];
	}

	return [];
}

const specialKeys = new Set([
	'enter', 'esc', 'tab', 'shift+tab', 'backspace', 'space', 'up', 'down', 'left', 'right',
	'pageup', 'pagedown', 'home', 'end', 'delete', 'alt+enter', 'alt+backspace',
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
	delete: 'Delete',
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
