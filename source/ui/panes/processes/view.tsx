import {Box, Text} from 'ink';
import type {PaneViewProps} from '../types.js';
import {detailLines, headerLine, layoutColumns, rowCells} from './columns.js';
import type {ProcessesState} from './state.js';
import {clip, printable} from './text.js';

/**
 * First visible row: the list turns a page when the selection leaves it,
 * so moving the cursor rewrites two rows, not the whole list (bytes count
 * over SSH).
 */
function pageTop(selected: number, visible: number, length: number): number {
	if (length <= visible || visible <= 0) return 0;
	return Math.min(Math.floor(selected / visible) * visible, Math.max(0, length - visible));
}

function emptyText(state: ProcessesState): string {
	if (state.status === 'loading') return 'listing processes…';
	if (state.entries.length > 0) return `No process matches /${printable(state.filter)}.`;
	return state.scope === 'workspace' ? 'No workspace processes.' : 'No processes of yours are running.';
}

/** The process table: marks, columns that fit, the selected process's details at the bottom. */
export function ProcessesView({state, focused, width, height, theme}: PaneViewProps<ProcessesState>) {
	const error = state.error === undefined ? undefined : clip(printable(state.error), width);
	if (state.rows.length === 0) {
		return (
			<Box flexDirection="column" width={width} height={height}>
				<Text color={theme.muted} wrap="truncate">
					{emptyText(state)}
				</Text>
				{error ? (
					<Text color={theme.error} wrap="truncate">
						{error}
					</Text>
				) : null}
			</Box>
		);
	}

	const columns = layoutColumns(state.rows, width, state.sort);
	const selected = state.rows[state.selected];
	const detailRoom = height >= 8 ? 2 : 1;
	const details = error ? [error] : selected ? detailLines(selected, state.rowsAt, width, detailRoom) : [];
	const header = height >= 4;
	const visible = Math.max(1, height - details.length - (header ? 1 : 0));
	const top = pageTop(state.selected, visible, state.rows.length);
	return (
		<Box flexDirection="column" width={width} height={height}>
			{header ? (
				<Text color={theme.muted} wrap="truncate">
					{headerLine(columns)}
				</Text>
			) : null}
			<Box flexDirection="column" height={visible}>
				{state.rows.slice(top, top + visible).map((entry, offset) => {
					const isSelected = top + offset === state.selected;
					const {marks, cells} = rowCells(entry, columns, state.rowsAt);
					return (
						<Text key={entry.pid} inverse={isSelected && focused} wrap="truncate">
							{isSelected ? theme.marker : ' '}
							<Text color={entry.protection.protected ? theme.warning : undefined}>{marks}</Text>
							{cells}
						</Text>
					);
				})}
			</Box>
			{details.map((line, index) => (
				<Text key={index} color={error ? theme.error : index === 0 && selected?.protection.protected ? theme.warning : theme.muted} wrap="truncate">
					{line}
				</Text>
			))}
		</Box>
	);
}
