import {Text} from 'ink';
import type {ToastLevel} from '../../commands/types.js';
import type {AppState} from '../state/app-state.js';
import type {Theme} from '../theme.js';

export const SPINNER_FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

const prefix: Record<ToastLevel, string> = {info: '·', success: '✓', warning: '!', error: '✗'};

/**
 * The line above the status bar: the spinner of a slow command, else the
 * newest toast (results, errors, hints), else nothing.
 */
export function MessageLine({state, width, theme}: {state: AppState; width: number; theme: Theme}) {
	const busy = state.busy.at(-1);
	if (busy) {
		const frame = SPINNER_FRAMES[state.spinnerFrame % SPINNER_FRAMES.length];
		return (
			<Text color={theme.info} wrap="truncate">
				{frame} {busy.title}…{state.busy.length > 1 ? ` (+${state.busy.length - 1})` : ''}
			</Text>
		);
	}

	const toast = state.toasts.at(-1);
	if (!toast) return <Text> </Text>;
	const color = {info: theme.info, success: theme.success, warning: theme.warning, error: theme.error}[toast.level];
	return (
		<Text color={color} wrap="truncate">
			{prefix[toast.level]} {toast.text.replaceAll('\n', ' — ').slice(0, width * 2)}
		</Text>
	);
}
