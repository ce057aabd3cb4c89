import {Box, Text} from 'ink';
import type {Theme} from '../theme.js';
import {fitHints, LEAVE_TEXT} from '../status-model.js';

/** The bottom line: key hints for where focus is, and how to leave. */
export function StatusBar({hints, width, theme}: {hints: readonly string[]; width: number; theme: Theme}) {
	const text = fitHints(hints, Math.max(0, width - LEAVE_TEXT.length - 2));
	return (
		<Box width={width} height={1} justifyContent="space-between">
			<Text color={theme.muted} wrap="truncate">
				{text}
			</Text>
			<Text bold wrap="truncate">
				{LEAVE_TEXT}
			</Text>
		</Box>
	);
}
