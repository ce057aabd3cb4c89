import {Text} from 'ink';
import type {TextField} from '../state/text-field.js';

/**
 * A text field drawn with an inverse block as its cursor (the terminal's
 * own cursor stays hidden). Shows the end of a value longer than `width`.
 */
export function TextInput({field, width, prefix = ''}: {field: TextField; width: number; prefix?: string}) {
	const room = Math.max(1, width - prefix.length - 1);
	const start = Math.max(0, field.cursor - room);
	const visible = field.value.slice(start, start + room + 1);
	const at = field.cursor - start;
	const before = visible.slice(0, at);
	const under = visible.slice(at, at + 1) || ' ';
	const after = visible.slice(at + 1, room);
	return (
		<Text wrap="truncate">
			{prefix}
			{before}
			<Text inverse>{under}</Text>
			{after}
		</Text>
	);
}
