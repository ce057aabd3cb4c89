import {unavailableReason} from './dispatch.js';
import {bestScore} from './fuzzy.js';
import {findByName, type Registry} from './registry.js';
import type {Command, CommandContext} from './types.js';

/** A command line split into its parts: `cexit! now` → {name: 'cexit', bang: true, args: 'now'}. */
export type ParsedLine = {name: string; bang: boolean; args: string};

export function parseCommandLine(text: string): ParsedLine {
	const trimmed = text.trim().replace(/^:/, '');
	const space = trimmed.search(/\s/);
	const head = space < 0 ? trimmed : trimmed.slice(0, space);
	const args = space < 0 ? '' : trimmed.slice(space + 1).trim();
	const bang = head.endsWith('!');
	return {name: bang ? head.slice(0, -1) : head, bang, args};
}

/** One palette row. */
export type PaletteItem = {command: Command; disabledReason: string | undefined};

/** The name a person types for a command: its first name, else its id. */
export function commandName(command: Command): string {
	return command.names?.[0] ?? command.id;
}

/**
 * Commands matching what was typed, best first: by name, id or title,
 * fuzzily. Hidden dialog plumbing is never listed.
 */
export function searchCommands(registry: Registry, text: string, ctx: CommandContext): PaletteItem[] {
	// `sync web`: once the first word names a command, the rest are its arguments.
	const {name} = parseCommandLine(text);
	const query = findByName(registry, name) ? name : text.trim().replace(/^:/, '').replaceAll(/!(?=\s|$)/g, '');
	const scored: Array<{item: PaletteItem; score: number; order: number}> = [];
	registry.commands.forEach((command, order) => {
		if (command.hidden) return;
		const score = bestScore(query, [...(command.names ?? []), command.id, command.title]);
		if (score === undefined) return;
		scored.push({item: {command, disabledReason: unavailableReason(command, {...ctx, overlay: undefined})}, score, order});
	});
	scored.sort((a, b) => b.score - a.score || a.order - b.order);
	return scored.map(entry => entry.item);
}

/** What Enter on the command line does. */
export type LineDecision =
	| {kind: 'run'; command: Command; args: string; bang: boolean}
	/** Fill the line with this text and wait for a second Enter (commands that must be typed in full). */
	| {kind: 'complete'; text: string; note: string}
	| {kind: 'disabled'; command: Command; reason: string}
	| {kind: 'unknown'; name: string}
	| {kind: 'close'};

/**
 * Decides what Enter does: a row picked with the arrow keys (`picked`) runs,
 * as does a name typed in full; otherwise the highlighted match runs, except
 * commands marked `exactOnly` (cexit), which are completed so a second,
 * deliberate Enter is needed: a stray Enter after a partial name never quits.
 */
export function decideEnter(
	registry: Registry,
	text: string,
	selected: PaletteItem | undefined,
	ctx: CommandContext,
	picked = false,
): LineDecision {
	const parsed = parseCommandLine(text);
	const chosen = picked ? selected?.command : undefined;
	if (parsed.name === '' && !chosen) return {kind: 'close'};
	const typed = parsed.name === '' ? undefined : findByName(registry, parsed.name);
	const command = chosen ?? typed ?? selected?.command;
	if (!command) return {kind: 'unknown', name: parsed.name};
	const exact = typed === command;
	if (!exact && !chosen && command.exactOnly) {
		return {kind: 'complete', text: commandName(command), note: `Enter again runs ${commandName(command)}`};
	}

	const reason = unavailableReason(command, {...ctx, overlay: undefined});
	if (reason) return {kind: 'disabled', command, reason};
	return {kind: 'run', command, args: exact ? parsed.args : '', bang: exact ? parsed.bang : false};
}
