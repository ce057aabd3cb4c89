import {Box, Text} from 'ink';
import type {PaletteItem} from '../../commands/command-line.js';
import {commandName, parseCommandLine} from '../../commands/command-line.js';
import {formatKeys} from '../../commands/keys.js';
import {windowStart} from '../components/list-window.js';
import {TextInput} from '../components/text-input.js';
import type {TextField} from '../state/text-field.js';
import type {Theme} from '../theme.js';

type PaletteProps = {
	input: TextField;
	items: readonly PaletteItem[];
	selected: number;
	/** The highlight was moved with the arrow keys: Enter runs that row as is. */
	picked: boolean;
	note: string | undefined;
	width: number;
	height: number;
	theme: Theme;
};

/** The command line: what was typed, and the matching commands with their keys or why they are unavailable. */
export function PaletteView({input, items, selected, picked, note, width, height, theme}: PaletteProps) {
	const visible = Math.max(1, height - 2);
	const index = Math.min(selected, Math.max(0, items.length - 1));
	const top = windowStart(index, visible, items.length);
	const nameWidth = Math.min(18, Math.max(8, Math.floor(width / 4)));
	const highlighted = items[index]?.command;
	const typed = parseCommandLine(input.value).name;
	// Say beforehand why Enter on a partial name completes cexit instead of leaving.
	const hint = items.length === 0
		? 'no matching command'
		: highlighted?.exactOnly && !picked && typed !== '' && typed !== commandName(highlighted)
			? `Enter completes ${commandName(highlighted)}, Enter again runs it · ↑↓ choose · Esc close`
			: 'Enter run · Tab complete · ↑↓ choose · Esc/Ctrl+G close';
	return (
		<Box flexDirection="column" width={width} height={height}>
			<TextInput field={input} width={width} prefix=":" />
			<Text color={note ? theme.warning : theme.muted} wrap="truncate">
				{note ?? hint}
			</Text>
			{items.slice(top, top + visible).map((item, offset) => {
				const chosen = top + offset === index;
				const keys = item.command.keys.length > 0 ? formatKeys(item.command.keys) : '';
				const detail = item.disabledReason ? `(${item.disabledReason})` : keys;
				return (
					<Text key={item.command.id} inverse={chosen} dimColor={item.disabledReason !== undefined} wrap="truncate">
						{chosen ? theme.marker : ' '} {commandName(item.command).padEnd(nameWidth).slice(0, nameWidth)} {item.command.title}
						{detail ? `  ${detail}` : ''}
					</Text>
				);
			})}
		</Box>
	);
}
