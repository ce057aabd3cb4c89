import {Box, Text} from 'ink';
import type {Theme} from '../theme.js';

/** At most this many text rows; longer notices end with "… and N more". */
const MAX_ROWS = 4;

/** Rows each line takes when wrapped to `width` (border and padding excluded). */
function wrappedRows(line: string, width: number): number {
	return Math.max(1, Math.ceil((line.length + 2) / Math.max(1, width)));
}

/** The lines shown and the rows they take, for a banner `width` wide. */
export function bannerLayout(lines: readonly string[], width: number): {shown: string[]; rows: number} {
	const inner = width - 4;
	const shown: string[] = [];
	let rows = 0;
	for (const [index, line] of lines.entries()) {
		const need = wrappedRows(line, inner);
		const remaining = lines.length - index;
		if (index === 0 && need > MAX_ROWS - (remaining > 1 ? 1 : 0)) {
			// A first line too long for the notice is cut, never dropped: the
			// notice must say something beyond "and N more".
			const fit = MAX_ROWS - (remaining > 1 ? 1 : 0);
			shown.push(`${line.slice(0, fit * inner - 3)}…`);
			rows += fit;
			continue;
		}

		if (rows + need > MAX_ROWS - (remaining > 1 ? 1 : 0)) {
			shown.push(`… and ${remaining} more`);
			rows += 1;
			break;
		}

		shown.push(line);
		rows += need;
	}

	return {shown, rows};
}

/** Height the banner takes (border included); 0 when there is none. */
export function bannerHeight(lines: readonly string[] | undefined, width: number): number {
	return lines ? bannerLayout(lines, width).rows + 2 : 0;
}

/** A start-up notice above the panes (unclean previous session, preference warnings). */
export function Banner({lines, width, theme}: {lines: readonly string[]; width: number; theme: Theme}) {
	const {shown, rows} = bannerLayout(lines, width);
	return (
		<Box borderStyle="single" borderColor={theme.warning} width={width} height={rows + 2} flexDirection="column" paddingX={1} overflow="hidden">
			{shown.map((line, index) => (
				<Text key={index} wrap="wrap">
					{index === 0 ? '! ' : '  '}
					{line}
				</Text>
			))}
		</Box>
	);
}
