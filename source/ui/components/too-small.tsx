import {Box, Text} from 'ink';

/** Smallest terminal the layout is designed for. */
export const MIN_COLUMNS = 60;
export const MIN_ROWS = 16;

/** Shown instead of the layout while the terminal is below the minimum; the layout returns when it grows. */
export function TooSmall({columns, rows}: {columns: number; rows: number}) {
	return (
		<Box width={columns} height={rows} flexDirection="column">
			<Text wrap="wrap">
				terminal too small: need {MIN_COLUMNS}×{MIN_ROWS}, have {columns}×{rows}
			</Text>
		</Box>
	);
}
