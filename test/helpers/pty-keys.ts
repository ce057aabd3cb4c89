/** Named keys for the pseudo-terminal harness: the bytes a terminal sends for each. */

/** Keys by name, as an xterm sends them in normal cursor mode. */
const KEYS: Record<string, string> = {
	enter: '\r', return: '\r', tab: '\t', 'shift+tab': '\u001B[Z', esc: '\u001B', escape: '\u001B',
	backspace: '\u007F', space: ' ', delete: '\u001B[3~', insert: '\u001B[2~',
	up: '\u001B[A', down: '\u001B[B', right: '\u001B[C', left: '\u001B[D',
	home: '\u001B[H', end: '\u001B[F', pageup: '\u001B[5~', pagedown: '\u001B[6~',
	f1: '\u001BOP', f2: '\u001BOQ', f3: '\u001BOR', f4: '\u001BOS',
};

/** Arrow keys in application cursor mode (DECCKM), which some programs switch on. */
const APPLICATION_KEYS: Record<string, string> = {
	up: '\u001BOA', down: '\u001BOB', right: '\u001BOC', left: '\u001BOD', home: '\u001BOH', end: '\u001BOF',
};

/** The byte sequence a named key sends ('ctrl+c', 'alt+x', 'shift+tab', 'up', ...). */
export function keySequence(name: string, applicationCursor = false): string {
	const lower = name.toLowerCase();
	if (applicationCursor && APPLICATION_KEYS[lower]) {
		return APPLICATION_KEYS[lower];
	}

	const known = KEYS[lower];
	if (known !== undefined) {
		return known;
	}

	const ctrl = /^ctrl\+([a-z@[\\\]^_])$/.exec(lower);
	if (ctrl) {
		return String.fromCodePoint(ctrl[1]!.toUpperCase().codePointAt(0)! & 0x1F);
	}

	const alt = /^(?:alt|meta)\+(.+)$/.exec(lower);
	if (alt) {
		const inner = alt[1]!;
		return `\u001B${inner.length === 1 ? name.slice(-1) : keySequence(inner, applicationCursor)}`;
	}

	if ([...name].length === 1) {
		return name;
	}

	throw new Error(`Unknown key name '${name}'`);
}
