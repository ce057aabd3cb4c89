import {commandName, decideEnter, searchCommands} from '../commands/command-line.js';
import type {OverlayAction} from '../commands/types.js';
import type {ShellController} from './controller.js';
import {helpRows, moveHelpSelection} from './overlays/help-model.js';
import {topOverlay} from './state/app-state.js';

/** Lines a page key moves. */
const PAGE = 10;

/** Length of the open overlay's list, to keep its selection in range. */
function listLength(shell: ShellController): number {
	const top = topOverlay(shell.getState());
	if (top?.kind === 'palette') return searchCommands(shell.registry, top.input.value, shell.context()).length;
	if (top?.kind === 'log') return shell.services.commandLog.entries().length;
	if (top?.kind === 'details') return top.intent.lines.length;
	if (top?.kind === 'shutdown') return top.steps[top.asking]?.question?.choices.length ?? 0;
	return 0;
}

/**
 * Carries out an overlay command's action on the open overlay: moving its
 * selection (which needs the list, hence not in the pure reducer), running
 * the palette's choice, answering a confirm, submitting a prompt, or
 * passing a shutdown answer to the shutdown flow.
 */
export function handleOverlayAction(shell: ShellController, action: OverlayAction): void {
	const state = shell.getState();
	const top = topOverlay(state);
	if (!top) return;
	if (action.type === 'move' || action.type === 'page') {
		const delta = action.type === 'page' ? action.delta * PAGE : action.delta;
		if (top.kind === 'help') {
			const rows = helpRows(shell.registry, state.focus, top.filter.value);
			shell.dispatch({type: 'select', index: moveHelpSelection(rows, top.selected, delta)});
			return;
		}

		const length = listLength(shell);
		const current = top.kind === 'shutdown' ? top.choice : 'selected' in top ? Math.min(top.selected, length - 1) : 0;
		shell.dispatch({type: 'select', index: Math.max(0, Math.min(length - 1, current + delta))});
		return;
	}

	if (top.kind === 'palette' && (action.type === 'submit' || action.type === 'complete')) {
		const items = searchCommands(shell.registry, top.input.value, shell.context());
		const selected = items[Math.min(top.selected, items.length - 1)];
		if (action.type === 'complete') {
			if (selected) shell.dispatch({type: 'set-input', text: commandName(selected.command)});
			return;
		}

		const decision = decideEnter(shell.registry, top.input.value, selected, shell.context(), top.picked);
		if (decision.kind === 'complete') {
			shell.dispatch({type: 'set-input', text: decision.text, note: decision.note});
			return;
		}

		shell.dispatch({type: 'close'});
		if (decision.kind === 'run') shell.execute(decision.command, decision.args, decision.bang);
		else if (decision.kind === 'disabled') shell.toast('warning', `${decision.command.title}: ${decision.reason}`);
		else if (decision.kind === 'unknown') shell.toast('warning', `no command '${decision.name}': press : and type part of a name or title`);
		return;
	}

	if (top.kind === 'prompt' && action.type === 'submit') {
		shell.dispatch({type: 'close'});
		shell.settle(top.intent.title, () => top.intent.onSubmit(top.input.value));
		return;
	}

	if (top.kind === 'confirm' && action.type === 'answer') {
		shell.dispatch({type: 'close'});
		if (action.value === 'yes') shell.settle(top.intent.title, top.intent.onConfirm);
		else if (top.intent.onCancel) shell.settle(top.intent.title, top.intent.onCancel);
		return;
	}

	if (top.kind === 'shutdown' && action.type === 'submit') shell.shutdown?.choose();
	if (top.kind === 'shutdown' && action.type === 'cancel') shell.shutdown?.cancel();
}
