import type {ComponentType} from 'react';
import type {PaneAction, PaneId, PaneSnapshot, ShellServices, ToastLevel} from '../../commands/types.js';
import type {Theme} from '../theme.js';

/** What a pane view is given to draw. */
export type PaneViewProps<S> = {
	state: S;
	focused: boolean;
	/** Inner size in cells (inside the pane border). */
	width: number;
	height: number;
	theme: Theme;
};

/**
 * A pane of the main screen. To plug one in: write a pure reducer and a view,
 * put the pane's commands (scope = the pane id) in source/commands/<pane>.ts
 * and list them in DEFAULT_COMMANDS (source/commands/registry.ts), then
 * replace the pane's entry in PANES (source/ui/panes/index.ts).
 *
 * Commands change a pane by returning `{type: 'pane', pane: id, action}`;
 * background data (polling, watchers, core change events) arrives through
 * `start`'s dispatch. Nothing else may change pane state.
 */
export type PaneDefinition<S, A extends PaneAction = PaneAction> = {
	id: PaneId;
	/** Shown in the pane border. */
	title: string;
	initialState(): S;
	/** Pure: no I/O, no clock, no randomness. Unknown actions return `state` unchanged. */
	reduce(state: S, action: A): S;
	/** Selection and count, for commands' disabledReason and run. */
	snapshot(state: S): PaneSnapshot;
	/** A line for the pane's border title, e.g. a count: 'stage board · 12 projects'. */
	summary?(state: S): string | undefined;
	View: ComponentType<PaneViewProps<S>>;
	/**
	 * Starts feeding the pane (e.g. load and poll); returns a function that
	 * stops it. `toast` tells the person about background events (a sync
	 * finished, a job failed) on the message line.
	 */
	start?(services: ShellServices, dispatch: (action: A) => void, toast: (level: ToastLevel, text: string) => void): () => void;
	/**
	 * Told whether the person is looking at this pane (focused, with no
	 * overlay over the panes): after start, and at each change. A pane can
	 * poll slowly while in the background.
	 */
	foreground?(services: ShellServices, foreground: boolean): void;
};

/** A pane definition with its state type erased, as the shell holds them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyPane = PaneDefinition<any, any>;
