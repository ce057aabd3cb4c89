import type {KeyPress} from './keys.js';
import type {Registry} from './registry.js';
import type {Command, CommandContext, OverlayId, PaneId} from './types.js';

/** Where a key press goes. */
export type Resolution =
	| {kind: 'command'; command: Command}
	/** Consumed by the open dialog's text field. */
	| {kind: 'text'; press: KeyPress}
	| {kind: 'none'};

/** What the dispatcher needs to know about the screen. */
export type DispatchState = {
	focus: PaneId;
	overlay: OverlayId | undefined;
	/** The open overlay has a text field. */
	textInput: boolean;
};

/** Keys a text field handles itself when its dialog does not bind them. */
const editingKeys = new Set(['backspace', 'delete', 'left', 'right', 'home', 'end', 'ctrl+a', 'ctrl+e', 'ctrl+u', 'ctrl+w', 'ctrl+k']);

/**
 * The one key dispatcher: overlay > focused pane > global. While an
 * overlay is open only its own commands, its text field, and the few
 * global commands marked `anywhere` (Ctrl+C's hint) see keys; everything
 * else is swallowed, so nothing behind a dialog reacts.
 */
export function resolveKey(registry: Registry, state: DispatchState, press: KeyPress): Resolution {
	const lookup = (scope: Parameters<Registry['keymap']['get']>[0]) => registry.keymap.get(scope)?.get(press.name);
	if (state.overlay) {
		const own = lookup(state.overlay);
		if (own) return {kind: 'command', command: own};
		const global = lookup('global');
		if (global?.anywhere) return {kind: 'command', command: global};
		if (state.textInput && (press.text !== undefined || editingKeys.has(press.name))) return {kind: 'text', press};
		return {kind: 'none'};
	}

	const command = lookup(state.focus) ?? lookup('global');
	return command ? {kind: 'command', command} : {kind: 'none'};
}

/**
 * Why `command` cannot run in `ctx`, or undefined. Commands of a pane only
 * run while that pane has focus (or from the command line, which names the
 * pane to focus).
 */
export function unavailableReason(command: Command, ctx: CommandContext): string | undefined {
	if (command.scope !== 'global' && command.scope !== ctx.focus && command.scope !== ctx.overlay) {
		const pane = ['board', 'queue', 'processes'].indexOf(command.scope);
		return pane >= 0 ? `works in the ${command.scope} pane (press ${pane + 1} first)` : `works in the ${command.scope} dialog`;
	}

	return command.disabledReason?.(ctx);
}
