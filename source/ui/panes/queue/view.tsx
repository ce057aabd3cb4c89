import {Box, Text} from 'ink';
import type {QueueFilter} from '../../../commands/queue.js';
import {terminalSafe} from '../../../commands/queue-text.js';
import type {Theme} from '../../theme.js';
import type {PaneViewProps} from '../types.js';
import {fit, jobRow, nameColumn, needingAttention, rowText, statsLine, type Tone} from './rows.js';
import {paneNow, selectedIndexIn, visibleJobs, type QueueState} from './state.js';

/** What a filter lists, for the line shown when it lists nothing. */
const EMPTY_NAMES: Record<QueueFilter, string> = {all: 'jobs', unfinished: 'unfinished jobs', problems: 'problem jobs', done: 'finished jobs'};

function toneColor(tone: Tone, theme: Theme): Theme['muted'] {
	switch (tone) {
		case 'muted':
			return theme.muted;
		case 'busy':
			return theme.info;
		case 'success':
			return theme.success;
		case 'warning':
			return theme.warning;
		case 'error':
			return theme.error;
		default:
			return undefined;
	}
}

/** First visible row: the list turns a page when the selection leaves it (cheaper over a slow link than scrolling by lines). */
function pageTop(selected: number, visible: number, length: number): number {
	if (length <= visible || visible <= 0) return 0;
	return Math.min(Math.floor(selected / visible) * visible, Math.max(0, length - visible));
}

/**
 * The sync queue: a stats line ("is my work safe"), then the jobs, newest
 * first, with state, attempt, countdown or elapsed time. Every line is cut
 * to the pane's width.
 */
export function QueueView({state, focused, width, height, theme}: PaneViewProps<QueueState>) {
	const {snapshot} = state;
	if (!snapshot) {
		return (
			<Text color={theme.muted} wrap="truncate">
				reading the sync queue…
			</Text>
		);
	}

	const now = paneNow(state);
	const jobs = visibleJobs(state);
	const error = snapshot.error === undefined ? undefined : fit(terminalSafe(`cannot read the queue: ${snapshot.error}`), width);
	const room = Math.max(0, height - 1 - (error ? 1 : 0));
	const selected = selectedIndexIn(state, jobs);
	const top = pageTop(selected, room, jobs.length);
	const rows = jobs.slice(top, top + room).map(job => ({job, row: jobRow(job, now, state.commands[job.id])}));
	const nameCol = nameColumn(rows.map(item => item.row), width, 4);
	const attention = needingAttention(snapshot.jobs);
	let empty: string | undefined;
	if (jobs.length === 0) {
		empty = snapshot.jobs.length === 0
			? 'No sync jobs. Press s on a board card to sync it.'
			: `No ${EMPTY_NAMES[state.filter]}. ${snapshot.jobs.length} hidden (f)`;
	}

	return (
		<Box flexDirection="column" width={width} height={height}>
			<Text color={attention > 0 ? theme.warning : theme.muted} wrap="truncate">
				{statsLine(snapshot.stats, width, snapshot.unreadable.length, attention)}
			</Text>
			{error ? (
				<Text color={theme.error} wrap="truncate">
					{error}
				</Text>
			) : null}
			{empty ? (
				<Text color={theme.muted} wrap="truncate">
					{fit(empty, width)}
				</Text>
			) : (
				rows.map(({job, row}, offset) => {
					const isSelected = top + offset === selected;
					return (
						<Text key={job.id} color={toneColor(row.tone, theme)} inverse={isSelected && focused} wrap="truncate">
							{rowText(row, width, isSelected ? `${theme.marker} ` : '  ', nameCol)}
						</Text>
					);
				})
			)}
		</Box>
	);
}
