import type {KeyPress} from '../../commands/keys.js';

/** A one-line text field: its text and the cursor position (in code units). */
export type TextField = {value: string; cursor: number};

export const emptyField = (value = ''): TextField => ({value, cursor: value.length});

const wordStart = (value: string, cursor: number): number => {
	let index = cursor;
	while (index > 0 && value[index - 1] === ' ') index--;
	while (index > 0 && value[index - 1] !== ' ') index--;
	return index;
};

/**
 * Applies an editing key to a field (pure). Printable text is inserted at
 * the cursor; Backspace, Delete, ←/→, Home/End and the readline keys Ctrl+A/E/U/W/K
 * edit. Other keys leave the field as it is.
 */
export function editField(field: TextField, press: KeyPress, maxLength = 500): TextField {
	const {value, cursor} = field;
	if (press.text !== undefined) {
		if (value.length + press.text.length > maxLength) return field;
		return {value: value.slice(0, cursor) + press.text + value.slice(cursor), cursor: cursor + press.text.length};
	}

	switch (press.name) {
		case 'backspace': {
			if (cursor === 0) return field;
			const previous = [...value.slice(0, cursor)].at(-1)!.length;
			return {value: value.slice(0, cursor - previous) + value.slice(cursor), cursor: cursor - previous};
		}

		case 'delete': {
			if (cursor >= value.length) return field;
			const next = [...value.slice(cursor)][0]!.length;
			return {value: value.slice(0, cursor) + value.slice(cursor + next), cursor};
		}

		case 'left':
			return cursor === 0 ? field : {value, cursor: cursor - ([...value.slice(0, cursor)].at(-1)!.length)};
		case 'right':
			return cursor >= value.length ? field : {value, cursor: cursor + [...value.slice(cursor)][0]!.length};
		case 'home':
		case 'ctrl+a':
			return {value, cursor: 0};
		case 'end':
		case 'ctrl+e':
			return {value, cursor: value.length};
		case 'ctrl+u':
			return {value: value.slice(cursor), cursor: 0};
		case 'ctrl+k':
			return {value: value.slice(0, cursor), cursor};
		case 'ctrl+w': {
			const start = wordStart(value, cursor);
			return {value: value.slice(0, start) + value.slice(cursor), cursor: start};
		}

		default:
			return field;
	}
}
