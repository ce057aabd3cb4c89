import {Box, Text} from 'ink';
import type {Registry} from '../../commands/registry.js';
import type {PaneId} from '../../commands/types.js';
import {windowStart} from '../components/list-window.js';
import {TextInput} from '../components/text-input.js';
import type {TextField} from '../state/text-field.js';
import type {Theme} from '../theme.js';
import {helpRows, normalizeHelpSelection} from './help-model.js';

type HelpProps = {
	registry: Registry;
	focus: PaneId;
	filter: TextField;
	selected: number;
	width: number;
	height: number;
	theme: Theme;
};

/** Keys of the focused pane and the global ones, grouped; typing filters. */
export function HelpView({registry, focus, filter, selected, width, height, theme}: HelpProps) {
	const rows = helpRows(registry, focus, filter.value);
	const visible = Math.max(1, height - 2);
	const index = normalizeHelpSelection(rows, selected);
	const top = windowStart(index, visible, rows.length);
	const keysWidth = Math.min(24, Math.max(8, Math.floor(width / 3)));
	return (
		<Box flexDirection="column" width={width} height={height}>
			<TextInput field={filter} width={width} prefix="filter: " />
			<Text color={theme.muted} wrap="truncate">
				{rows.length === 0 ? 'nothing matches' : 'type to filter · ↑↓ scroll · Esc/Ctrl+G close'}
			</Text>
			{rows.slice(top, top + visible).map((row, offset) =>
				row.kind === 'group' ? (
					<Text key={`g${top + offset}`} bold color={theme.accent} wrap="truncate">
						{row.title}
					</Text>
				) : (
					<Text key={row.id} inverse={top + offset === index} wrap="truncate">
						{top + offset === index ? theme.marker : ' '} {row.keys.padEnd(keysWidth).slice(0, keysWidth)} {row.title}
					</Text>
				),
			)}
		</Box>
	);
}
