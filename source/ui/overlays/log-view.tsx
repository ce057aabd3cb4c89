import {Box, Text} from 'ink';
import type {CommandLogEntry} from '../../core/command-log.js';
import {windowStart} from '../components/list-window.js';
import type {Theme} from '../theme.js';
import {clock, commandText, outcomeText} from './log-model.js';

type LogProps = {entries: readonly CommandLogEntry[]; selected: number; width: number; height: number; theme: Theme};

/** Every external command the program ran, newest at the bottom, with exit code and duration. */
export function LogView({entries, selected, width, height, theme}: LogProps) {
	if (entries.length === 0) {
		return (
			<Box flexDirection="column" width={width} height={height}>
				<Text color={theme.muted}>No external commands have run yet.</Text>
				<Text color={theme.muted}>git, rsync and signals sent to processes are listed here.</Text>
			</Box>
		);
	}

	const index = Math.min(selected, entries.length - 1);
	const top = windowStart(index, height, entries.length);
	return (
		<Box flexDirection="column" width={width} height={height}>
			{entries.slice(top, top + height).map((entry, offset) => {
				const outcome = outcomeText(entry);
				const color = entry.status === 'failed' ? theme.error : entry.status === 'running' ? theme.info : undefined;
				return (
					<Text key={entry.id} inverse={top + offset === index} wrap="truncate">
						{clock(entry.startedAt)} <Text color={color}>{outcome.padEnd(16)}</Text> {commandText(entry)}
					</Text>
				);
			})}
		</Box>
	);
}
