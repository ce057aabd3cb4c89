import type {Registry} from '../commands/registry.js';
import type {Command, OverlayId, PaneId} from '../commands/types.js';
import {formatKey} from '../commands/keys.js';

/** Right end of the status bar, always visible: the one way out. */
export const LEAVE_TEXT = ':cexit to leave';

const label = (command: Command): string =>
	`${command.keys
		.slice(0, 2)
		.map(formatKey)
		.join('/')} ${command.hint!}`;

/**
 * Status bar hints: the open overlay's keys, or the focused pane's and then
 * the global ones; only commands with a `hint` label and a key.
 */
export function statusHints(registry: Registry, focus: PaneId, overlay: OverlayId | undefined): string[] {
	const pick = (scope: string) =>
		registry.commands.filter(command => command.scope === scope && command.hint && command.keys.length > 0).map(label);
	return overlay ? pick(overlay) : [...pick(focus), ...pick('global')];
}

/** Joins hints that fit in `width`, dropping the last ones that do not. */
export function fitHints(hints: readonly string[], width: number, separator = '  '): string {
	let text = '';
	for (const hint of hints) {
		const next = text === '' ? hint : `${text}${separator}${hint}`;
		if (next.length > width) break;
		text = next;
	}

	return text;
}
