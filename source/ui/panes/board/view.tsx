import {Box, Text} from 'ink';
import {memo, useEffect} from 'react';
import {escapeControl, plural} from '../../../commands/board-text.js';
import {STAGES} from '../../../core/paths.js';
import type {QueueSnapshot} from '../../../core/queue/index.js';
import {badgeFor} from '../../shared/queue-feed.js';
import type {Theme} from '../../theme.js';
import type {PaneViewProps} from '../types.js';
import {cardDetail, cardTitle, selectionLine, type CardContext, type Segment, type Tone} from './card-text.js';
import {columnLength, itemAt, keyAt, type BoardColumn, type BoardItem} from './columns.js';
import type {BoardState} from './state.js';

const stageTitles = {sandbox: 'Sandbox', active: 'Active', stable: 'Stable', public: 'Public'} as const;

/** Narrowest column that still shows a useful card; below four of these the board shows one column. */
export const MIN_COLUMN_WIDTH = 19;

/**
 * First visible row: the list turns a page when the selection leaves it.
 * Scrolling line by line would rewrite the whole column on every move,
 * which costs bytes on a slow link; a page turn costs that only once a page.
 */
export function scrollTop(selected: number, visible: number, length: number): number {
	if (length <= visible || visible <= 0) return 0;
	return Math.min(Math.floor(selected / visible) * visible, Math.max(0, length - visible));
}

/** Rows per card and cards per column for a card area `rows` high. */
export function cardLayout(rows: number): {cardHeight: 1 | 2; slots: number} {
	const cardHeight = rows >= 6 ? 2 : 1;
	return {cardHeight, slots: Math.max(1, Math.floor(rows / cardHeight))};
}

function toneColor(tone: Tone, theme: Theme): string | undefined {
	switch (tone) {
		case 'muted':
			return theme.muted;
		case 'success':
			return theme.success;
		case 'warning':
			return theme.warning;
		case 'error':
			return theme.error;
		case 'info':
			return theme.info;
		case 'accent':
			return theme.accent;
		default:
			return undefined;
	}
}

/** One line of coloured runs, cut at the box edge. */
function Line({segments, theme, inverse = false}: {segments: readonly Segment[]; theme: Theme; inverse?: boolean}) {
	return (
		<Text wrap="truncate" inverse={inverse}>
			{segments.map((segment, index) => {
				const color = inverse ? undefined : toneColor(segment.tone, theme);
				return color ? (
					<Text key={index} color={color}>
						{segment.text}
					</Text>
				) : (
					segment.text
				);
			})}
		</Text>
	);
}

type ContextSource = {now: number; queue: QueueSnapshot | undefined; processes: ReadonlyMap<string, number>};

function contextFor(item: BoardItem, source: ContextSource): CardContext {
	return {
		now: source.now,
		processes: item.kind === 'card' ? (source.processes.get(item.key) ?? 0) : 0,
		badge: source.queue ? badgeFor(source.queue, item.name, source.now) : undefined,
	};
}

type ColumnProps = ContextSource & {
	column: BoardColumn;
	/** This column's remembered row (decides its page). */
	row: number;
	/** The board's cursor is in this column. */
	current: boolean;
	/** The board pane has focus (the selection is drawn inverse). */
	focused: boolean;
	filtered: boolean;
	/** Draws its own heading (the single-column layout has a heading line of its own). */
	titled: boolean;
	width: number;
	slots: number;
	cardHeight: 1 | 2;
	theme: Theme;
};

/** Heading of a column: title, count (shown/total under a filter), and arrows when rows are out of view. */
function heading(column: BoardColumn, filtered: boolean, top: number, slots: number): string {
	const length = columnLength(column);
	const count = filtered ? `${length}/${column.total}` : String(column.total);
	const above = top > 0;
	const below = top + slots < length;
	const more = above && below ? ' ↕' : above ? ' ↑' : below ? ' ↓' : '';
	return `${stageTitles[column.stage]} (${count})${more}`;
}

/** One stage column: only the rows on screen are built, whatever the column's length. */
const Column = memo(function Column({column, row, current, focused, filtered, titled, width, slots, cardHeight, theme, ...source}: ColumnProps) {
	const length = columnLength(column);
	const top = scrollTop(row, slots, length);
	const lineWidth = Math.max(1, width - 1);
	const rows = [];
	for (let index = top; index < Math.min(length, top + slots); index++) {
		const item = itemAt(column, index)!;
		const selected = current && index === row;
		const context = contextFor(item, source);
		rows.push(
			<Box key={item.key} flexDirection="column" width={lineWidth}>
				<Line segments={cardTitle(item, context, selected, lineWidth)} theme={theme} inverse={selected && focused} />
				{cardHeight === 2 ? <Line segments={padTo(cardDetail(item, context, lineWidth), selected && focused ? lineWidth : 0)} theme={theme} inverse={selected && focused} /> : null}
			</Box>,
		);
	}

	return (
		<Box flexDirection="column" width={width}>
			{titled ? (
				<Text bold color={current ? theme.accent : undefined} wrap="truncate">
					{heading(column, filtered, top, slots)}
				</Text>
			) : null}
			{rows}
		</Box>
	);
});

/** Pads a line with spaces to `width` (an inverse selection then reads as one block). */
function padTo(segments: Segment[], width: number): Segment[] {
	const used = segments.reduce((sum, segment) => sum + segment.text.length, 0);
	return used < width ? [...segments, {text: ' '.repeat(width - used), tone: 'plain'}] : segments;
}

/** Keys of the rows a column shows, for the feed's focus. */
function visibleKeys(column: BoardColumn, row: number, slots: number): string[] {
	const length = columnLength(column);
	const top = scrollTop(row, slots, length);
	const keys: string[] = [];
	for (let index = top; index < Math.min(length, top + slots); index++) keys.push(keyAt(column, index)!);
	return keys;
}

/** The line under the columns: what is wrong in the workspace, if anything. */
function problemLine(state: BoardState): string | undefined {
	if (state.error) return `! ${escapeControl(state.error)}`;
	const problems = state.listing?.problems ?? [];
	const elsewhere = (state.listing?.missing ?? []).filter(project => !(STAGES as readonly string[]).includes(project.recorded ?? ''));
	const count = problems.length + elsewhere.length;
	if (count === 0) return undefined;
	const first = problems[0]?.message ?? `"${elsewhere[0]!.name}" is recorded in ${elsewhere[0]!.recorded ?? 'no stage'} but its folder is gone.`;
	return `! ${plural(count, 'problem')} (! lists them): ${escapeControl(first)}`;
}

/**
 * The stage board: four columns of cards when they fit (at least
 * MIN_COLUMN_WIDTH each), else the focused column alone with the others'
 * counts and arrows. Under the columns: the selected project in one full
 * line, and the workspace's problems when there are any.
 */
export function BoardView({state, focused, width, height, theme}: PaneViewProps<BoardState>) {
	const wide = width >= MIN_COLUMN_WIDTH * state.columns.length;
	const problems = problemLine(state);
	const footer = 1 + (problems ? 1 : 0);
	const {cardHeight, slots} = cardLayout(Math.max(1, height - footer - 1));
	const shown = wide ? state.columns.map((_, index) => index) : [state.column];
	const keys = state.listing ? shown.flatMap(index => visibleKeys(state.columns[index]!, state.selection[index]!.index, slots)) : [];
	const joined = keys.join('\n');
	const {onVisible} = state;
	useEffect(() => {
		onVisible?.(joined === '' ? [] : joined.split('\n'), slots);
	}, [joined, slots, onVisible]);

	if (!state.listing) {
		return (
			<Text color={theme.muted} wrap="truncate">
				{state.error ? `! ${escapeControl(state.error)}` : 'reading the stage folders…'}
			</Text>
		);
	}

	const source: ContextSource = {now: state.now, queue: state.queue, processes: state.processes};
	const filtered = state.filter !== '';
	const columnWidth = wide ? Math.floor(width / state.columns.length) : width;
	const selected = itemAt(state.columns[state.column]!, state.selection[state.column]!.index);
	const empty = state.listing.cards.length === 0 && state.listing.missing.length === 0;
	return (
		<Box flexDirection="column" width={width} height={height}>
			{wide ? null : <NarrowHeading state={state} slots={slots} width={width} theme={theme} />}
			<Box flexDirection="row" height={height - footer - (wide ? 0 : 1)}>
				{shown.map(index => (
					<Column
						key={state.columns[index]!.stage}
						column={state.columns[index]!}
						row={state.selection[index]!.index}
						current={index === state.column}
						focused={focused}
						filtered={filtered}
						titled={wide}
						width={columnWidth}
						slots={slots}
						cardHeight={cardHeight}
						theme={theme}
						{...source}
					/>
				))}
			</Box>
			{selected ? (
				<Line segments={selectionLine(selected, contextFor(selected, source))} theme={theme} />
			) : (
				<Text color={theme.muted} wrap="truncate">
					{empty ? 'No projects yet: n creates one in Sandbox.' : filtered ? `Nothing here matches "${escapeControl(state.filter)}": / changes the filter.` : `No projects in ${stageTitles[state.columns[state.column]!.stage]}.`}
				</Text>
			)}
			{problems ? (
				<Text color={theme.warning} wrap="truncate">
					{problems}
				</Text>
			) : null}
		</Box>
	);
}

/** With room for one column: its heading, arrows to the others, and their counts. */
function NarrowHeading({state, slots, width, theme}: {state: BoardState; slots: number; width: number; theme: Theme}) {
	const column = state.columns[state.column]!;
	const filtered = state.filter !== '';
	const top = scrollTop(state.selection[state.column]!.index, slots, columnLength(column));
	const left = state.column > 0 ? '‹ ' : '  ';
	const right = state.column < state.columns.length - 1 ? ' ›' : '  ';
	const others = state.columns
		.filter((_, index) => index !== state.column)
		.map(other => `${stageTitles[other.stage]} ${filtered ? `${columnLength(other)}/` : ''}${other.total}`)
		.join(' · ');
	return (
		<Box width={width}>
			<Text wrap="truncate">
				<Text color={theme.muted}>{left}</Text>
				<Text bold color={theme.accent}>
					{heading(column, filtered, top, slots)}
				</Text>
				<Text color={theme.muted}>{`${right}  ${others}`}</Text>
			</Text>
		</Box>
	);
}
