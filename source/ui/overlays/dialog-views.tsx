import {Box, Text} from 'ink';
import type {ConfirmIntent, PromptIntent} from '../../commands/types.js';
import {windowStart} from '../components/list-window.js';
import {TextInput} from '../components/text-input.js';
import type {TextField} from '../state/text-field.js';
import type {Theme} from '../theme.js';

/** A yes/no question; nothing happens until it is answered. */
export function ConfirmView({intent, width, theme}: {intent: ConfirmIntent; width: number; theme: Theme}) {
	return (
		<Box flexDirection="column" width={width}>
			<Text bold wrap="wrap">
				{intent.title}
			</Text>
			{(intent.body ?? []).map((line, index) => (
				<Text key={index} wrap="wrap">
					{line}
				</Text>
			))}
			<Text> </Text>
			<Text color={theme.muted} wrap="truncate">
				y/Enter {intent.confirmLabel ?? 'yes'} · n/Esc/Ctrl+G no
			</Text>
		</Box>
	);
}

/** A line of text to enter (names, notes). */
export function PromptView({intent, input, width, theme}: {intent: PromptIntent; input: TextField; width: number; theme: Theme}) {
	return (
		<Box flexDirection="column" width={width}>
			<Text bold wrap="truncate">
				{intent.title}
			</Text>
			<TextInput field={input} width={width} prefix="> " />
			{intent.help ? (
				<Text color={theme.muted} wrap="wrap">
					{intent.help}
				</Text>
			) : null}
			<Text color={theme.muted} wrap="truncate">
				Enter save · Esc/Ctrl+G cancel
			</Text>
		</Box>
	);
}

/** Read-only lines, scrolled with ↑↓ (the selected line stays in view). */
export function DetailsView({lines, selected, width, height, theme}: {lines: readonly string[]; selected: number; width: number; height: number; theme: Theme}) {
	const visible = Math.max(1, height - 1);
	const index = Math.min(selected, Math.max(0, lines.length - 1));
	const top = windowStart(index, visible, lines.length);
	return (
		<Box flexDirection="column" width={width} height={height}>
			{lines.slice(top, top + visible).map((line, offset) => (
				<Text key={top + offset} inverse={top + offset === index && lines.length > visible} wrap="truncate">
					{line === '' ? ' ' : line}
				</Text>
			))}
			<Text color={theme.muted} wrap="truncate">
				{lines.length > visible ? `${index + 1}/${lines.length} · ↑↓ scroll · ` : ''}q/Esc/Ctrl+G close
			</Text>
		</Box>
	);
}
