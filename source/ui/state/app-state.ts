import type {KeyPress} from '../../commands/keys.js';
import {PANE_IDS, type ConfirmIntent, type PaneAction, type PaneId, type PromptIntent, type ShowIntent, type ToastLevel} from '../../commands/types.js';
import type {ShutdownStep} from '../../core/shutdown.js';
import type {AnyPane} from '../panes/types.js';
import {editField, emptyField, type TextField} from './text-field.js';

/** Where a shutdown is: gathering the plan, asking, doing it, or finished. */
export type ShutdownPhase = 'planning' | 'asking' | 'running' | 'done';

export type ShutdownView = {
	kind: 'shutdown';
	phase: ShutdownPhase;
	force: boolean;
	steps: ShutdownStep[];
	/** Index into `steps` of the question being asked. */
	asking: number;
	/** Highlighted choice of that question. */
	choice: number;
	answers: Record<string, string>;
	progress: string[];
};

/** An open modal layer and its own state. */
export type OverlayState =
	| {kind: 'help'; filter: TextField; selected: number}
	/** picked: the highlight was moved with the arrow keys since the line last changed. */
	| {kind: 'palette'; input: TextField; selected: number; note?: string; picked?: boolean}
	| {kind: 'log'; selected: number}
	| {kind: 'details'; intent: ShowIntent; selected: number}
	| {kind: 'confirm'; intent: ConfirmIntent}
	| {kind: 'prompt'; intent: PromptIntent; input: TextField}
	| ShutdownView;

export type Toast = {id: number; level: ToastLevel; text: string};

/** Everything the shell draws. */
export type AppState = {
	focus: PaneId;
	/** Open overlays, the last one on top and receiving keys. */
	overlays: OverlayState[];
	toasts: Toast[];
	panes: Record<PaneId, unknown>;
	/** Commands still running after 200 ms, for the spinner. */
	busy: Array<{id: number; title: string}>;
	spinnerFrame: number;
	/** Start-up notice (unclean previous session, preference warnings). */
	banner: string[] | undefined;
	/** Bumped by Ctrl+L: the terminal writer repaints every line. */
	redraws: number;
};

export type AppAction =
	| {type: 'focus'; pane: PaneId | 'next' | 'previous'}
	| {type: 'open'; overlay: OverlayState}
	| {type: 'close'}
	| {type: 'text'; press: KeyPress}
	| {type: 'select'; index: number}
	| {type: 'set-input'; text: string; note?: string}
	| {type: 'pane'; pane: PaneId; action: PaneAction}
	| {type: 'toast'; toast: Toast}
	| {type: 'expire'; id: number}
	| {type: 'busy'; id: number; title: string}
	| {type: 'idle'; id: number}
	| {type: 'tick'}
	| {type: 'banner'; lines: string[] | undefined}
	| {type: 'shutdown'; patch: Partial<ShutdownView>}
	| {type: 'redraw'};

/** The most toasts kept on screen; older ones go first. */
const MAX_TOASTS = 3;

export function initialAppState(panes: readonly AnyPane[], banner?: string[]): AppState {
	const states = Object.fromEntries(panes.map(pane => [pane.id, pane.initialState()])) as Record<PaneId, unknown>;
	return {focus: 'board', overlays: [], toasts: [], panes: states, busy: [], spinnerFrame: 0, banner, redraws: 0};
}

/** The overlay receiving keys, if any. */
export const topOverlay = (state: AppState): OverlayState | undefined => state.overlays.at(-1);

/** Opens a fresh overlay of the given kind. */
export function newOverlay(kind: 'help' | 'palette' | 'log', text = ''): OverlayState {
	if (kind === 'help') return {kind, filter: emptyField(text), selected: 0};
	if (kind === 'palette') return {kind, input: emptyField(text), selected: 0};
	return {kind, selected: Number.MAX_SAFE_INTEGER};
}

function replaceTop(state: AppState, overlay: OverlayState): AppState {
	return {...state, overlays: [...state.overlays.slice(0, -1), overlay]};
}

function focusTarget(current: PaneId, target: PaneId | 'next' | 'previous'): PaneId {
	if (target !== 'next' && target !== 'previous') return target;
	const index = PANE_IDS.indexOf(current);
	const step = target === 'next' ? 1 : PANE_IDS.length - 1;
	return PANE_IDS[(index + step) % PANE_IDS.length]!;
}

/** The shell's pure reducer; pane actions go to the pane's own reducer. */
export function reduceApp(state: AppState, action: AppAction, panes: readonly AnyPane[]): AppState {
	const top = topOverlay(state);
	switch (action.type) {
		case 'focus':
			return {...state, focus: focusTarget(state.focus, action.pane)};
		case 'open':
			// Opening the kind that is already on top refreshes it instead of stacking a copy.
			return top?.kind === action.overlay.kind ? replaceTop(state, action.overlay) : {...state, overlays: [...state.overlays, action.overlay]};
		case 'close':
			return state.overlays.length === 0 ? state : {...state, overlays: state.overlays.slice(0, -1)};
		case 'text': {
			if (top?.kind === 'help') return replaceTop(state, {...top, filter: editField(top.filter, action.press), selected: 0});
			if (top?.kind === 'palette') {
				const input = editField(top.input, action.press);
				const same = input.value === top.input.value;
				return replaceTop(state, {kind: 'palette', input, selected: same ? top.selected : 0, ...(same && top.picked ? {picked: true} : {})});
			}

			if (top?.kind === 'prompt') return replaceTop(state, {...top, input: editField(top.input, action.press, 4000)});
			return state;
		}

		case 'select':
			if (top?.kind === 'palette') return replaceTop(state, {...top, selected: Math.max(0, action.index), picked: true});
			if (top && 'selected' in top) return replaceTop(state, {...top, selected: Math.max(0, action.index)});
			if (top?.kind === 'shutdown') return replaceTop(state, {...top, choice: Math.max(0, action.index)});
			return state;
		case 'set-input':
			if (top?.kind !== 'palette') return state;
			return replaceTop(state, {kind: 'palette', input: emptyField(action.text), selected: 0, ...(action.note ? {note: action.note} : {})});
		case 'pane': {
			const pane = panes.find(item => item.id === action.pane);
			if (!pane) return state;
			const next = pane.reduce(state.panes[action.pane], action.action);
			return next === state.panes[action.pane] ? state : {...state, panes: {...state.panes, [action.pane]: next}};
		}

		case 'toast':
			return {...state, toasts: [...state.toasts.filter(toast => toast.text !== action.toast.text), action.toast].slice(-MAX_TOASTS)};
		case 'expire':
			return {...state, toasts: state.toasts.filter(toast => toast.id !== action.id)};
		case 'busy':
			return {...state, busy: [...state.busy, {id: action.id, title: action.title}]};
		case 'idle':
			return {...state, busy: state.busy.filter(item => item.id !== action.id)};
		case 'tick':
			return {...state, spinnerFrame: (state.spinnerFrame + 1) % 1000};
		case 'banner':
			return {...state, banner: action.lines};
		case 'shutdown': {
			const index = state.overlays.findIndex(overlay => overlay.kind === 'shutdown');
			if (index < 0) return state;
			const overlays = [...state.overlays];
			overlays[index] = {...(overlays[index] as ShutdownView), ...action.patch};
			return {...state, overlays};
		}

		case 'redraw':
			return {...state, redraws: state.redraws + 1};
		default:
			return state;
	}
}
