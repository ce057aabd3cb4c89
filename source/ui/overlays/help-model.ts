import {commandName} from '../../commands/command-line.js';
import {bestScore} from '../../commands/fuzzy.js';
import {formatKeys} from '../../commands/keys.js';
import type {Registry} from '../../commands/registry.js';
import type {PaneId} from '../../commands/types.js';

/** One line of the help overlay. */
export type HelpRow = {kind: 'group'; title: string} | {kind: 'command'; keys: string; title: string; id: string};

/**
 * The help overlay's lines: the focused pane's commands, then the global
 * ones, grouped, filtered by what was typed (title, id, command-line name
 * or key). Commands without a key show how to type them (`:cexit`).
 */
export function helpRows(registry: Registry, focus: PaneId, filter: string): HelpRow[] {
	const relevant = registry.commands.filter(command => !command.hidden && (command.scope === focus || command.scope === 'global'));
	const ordered = [...relevant.filter(command => command.scope === focus), ...relevant.filter(command => command.scope === 'global')];
	const rows: HelpRow[] = [];
	let group: string | undefined;
	for (const command of ordered) {
		const keys = command.keys.length > 0 ? formatKeys(command.keys) : `:${commandName(command)}`;
		if (filter.trim() !== '' && bestScore(filter, [command.title, command.id, commandName(command), keys]) === undefined) continue;
		if (command.group !== group) {
			group = command.group;
			rows.push({kind: 'group', title: group});
		}

		rows.push({kind: 'command', keys, title: command.title, id: command.id});
	}

	return rows;
}

/** The selectable row at or after `selected` (group headings are skipped), or the last one. */
export function normalizeHelpSelection(rows: readonly HelpRow[], selected: number): number {
	for (let index = Math.max(0, selected); index < rows.length; index++) if (rows[index]!.kind === 'command') return index;
	for (let index = Math.min(selected, rows.length - 1); index >= 0; index--) if (rows[index]!.kind === 'command') return index;
	return 0;
}

/** Moves the help selection by `delta` command rows, skipping headings, staying in range. */
export function moveHelpSelection(rows: readonly HelpRow[], selected: number, delta: number): number {
	const commands = rows.flatMap((row, index) => (row.kind === 'command' ? [index] : []));
	if (commands.length === 0) return 0;
	const position = commands.indexOf(normalizeHelpSelection(rows, selected));
	return commands[Math.max(0, Math.min(commands.length - 1, position + delta))]!;
}
