import {Box, Text} from 'ink';
import type {Theme} from '../theme.js';

/** Height the banner takes for `lines` (border included); 0 when there is none. */
export function bannerHeight(lines: readonly string[] | undefined): number {
	return lines ? Math.min(lines.length, 3) + 2 : 0;
}

/** A start-up notice above the panes (unclean previous session, preference warnings). */
export function Banner({lines, width, theme}: {lines: readonly string[]; width: number; theme: Theme}) {
	const shown = lines.length > 3 ? [...lines.slice(0, 2), `… and ${lines.length - 2} more`] : lines;
	return (
		<Box borderStyle="single" borderColor={theme.warning} width={width} flexDirection="column" paddingX={1}>
			{shown.map((line, index) => (
				<Text key={index} wrap="truncate">
					{index === 0 ? '! ' : '  '}
					{line}
				</Text>
			))}
		</Box>
	);
}
