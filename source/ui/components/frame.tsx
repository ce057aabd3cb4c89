import {Box, Text} from 'ink';
import type {ReactNode} from 'react';
import type {Theme} from '../theme.js';

type FrameProps = {
	title: string;
	/** Right part of the title line, e.g. a count. */
	summary?: string | undefined;
	focused: boolean;
	width: number;
	height: number;
	theme: Theme;
	children: ReactNode;
};

/**
 * A bordered box with its title in the top border. The focused one has a
 * double border, a ▶ before its title and the focus colour, so focus is
 * visible without colour.
 */
export function Frame({title, summary, focused, width, height, theme, children}: FrameProps) {
	const [left, fill, right] = focused ? ['╔', '═', '╗'] : ['┌', '─', '┐'];
	const label = ` ${focused ? `${theme.marker} ` : ''}${title}${summary ? ` · ${summary}` : ''} `;
	const room = Math.max(0, width - 3);
	const shown = label.length > room ? `${label.slice(0, Math.max(0, room - 1))}…` : label;
	const rest = Math.max(0, width - 3 - shown.length);
	const color = focused ? theme.focus : theme.muted;
	return (
		<Box flexDirection="column" width={width} height={height}>
			<Text color={color} wrap="truncate">
				{left}
				{fill}
				<Text bold={focused} color={focused ? theme.focus : undefined}>
					{shown}
				</Text>
				{fill.repeat(rest)}
				{right}
			</Text>
			{/*
			 * Keyed by focus: Ink 6.8 re-applies a changed borderStyle without the
			 * unchanged borderTop={false}, giving the box a top border row it never
			 * draws (content shifts down a line). A fresh box avoids the partial update.
			 */}
			<Box
				key={focused ? 'focused' : 'plain'}
				borderStyle={focused ? 'double' : 'single'}
				borderTop={false}
				borderColor={color}
				width={width}
				height={Math.max(1, height - 1)}
				paddingX={1}
				flexDirection="column"
				overflow="hidden"
			>
				{children}
			</Box>
		</Box>
	);
}

/** Inner size of a Frame of the given outer size (borders and padding removed). */
export function frameInner(width: number, height: number): {width: number; height: number} {
	return {width: Math.max(1, width - 4), height: Math.max(1, height - 2)};
}
