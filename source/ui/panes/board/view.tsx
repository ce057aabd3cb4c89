import {Box, Text} from 'ink';
import type {StageColumn} from '../../../commands/stage-listing.js';
import type {Theme} from '../../theme.js';
import type {PaneViewProps} from '../types.js';
import type {BoardState} from './state.js';

const stageTitles = {sandbox: 'Sandbox', active: 'Active', stable: 'Stable', public: 'Public'} as const;

type ColumnProps = {
	column: StageColumn;
	selectedRow: number | undefined;
	focused: boolean;
	width: number;
	height: number;
	theme: Theme;
};

/**
 * First visible row: the list turns a page when the selection leaves it.
 * Scrolling line by line would rewrite the whole column on every move,
 * which costs bytes on a slow link; a page turn costs that only once a page.
 */
function scrollTop(selected: number, visible: number, length: number): number {
	if (length <= visible || visible <= 0) return 0;
	return Math.min(Math.floor(selected / visible) * visible, Math.max(0, length - visible));
}

function Column({column, selectedRow, focused, width, height, theme}: ColumnProps) {
	const visible = Math.max(0, height - 1);
	const top = scrollTop(selectedRow ?? 0, visible, column.projects.length);
	const shown = column.projects.slice(top, top + visible);
	const heading = `${stageTitles[column.stage]} (${column.projects.length})`;
	return (
		<Box flexDirection="column" width={width} height={height} paddingRight={1}>
			<Text bold color={selectedRow === undefined ? undefined : theme.accent} wrap="truncate">
				{heading}
			</Text>
			{column.error ? (
				<Text color={theme.error} wrap="truncate-end">
					{column.error}
				</Text>
			) : null}
			{shown.map((name, index) => {
				const selected = top + index === selectedRow;
				return (
					<Text key={name} inverse={selected && focused} wrap="truncate">
						{selected ? `${theme.marker} ` : '  '}
						{name}
					</Text>
				);
			})}
		</Box>
	);
}

/** The stage board: one column per stage, the selected project marked. */
export function BoardView({state, focused, width, height, theme}: PaneViewProps<BoardState>) {
	if (!state.columns) return <Text color={theme.muted}>reading the stage folders…</Text>;
	const columnWidth = Math.floor(width / state.columns.length);
	const empty = state.columns.every(column => column.projects.length === 0);
	return (
		<Box flexDirection="column" width={width} height={height}>
			<Box flexDirection="row" height={empty ? Math.max(1, height - 1) : height}>
				{state.columns.map((column, index) => (
					<Column
						key={column.stage}
						column={column}
						selectedRow={index === state.column ? (state.rows[index] ?? 0) : undefined}
						focused={focused}
						width={columnWidth}
						height={empty ? Math.max(1, height - 1) : height}
						theme={theme}
					/>
				))}
			</Box>
			{empty ? (
				<Text color={theme.muted} wrap="truncate">
					{'No projects yet: `cws new <name>` creates one in Sandbox.'}
				</Text>
			) : null}
		</Box>
	);
}
