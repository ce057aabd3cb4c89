import type {CommandLog} from '../core/command-log.js';
import type {WorkspacePaths} from '../core/paths.js';
import type {ShutdownRegistry} from '../core/shutdown.js';
import type {Store} from '../core/store.js';

/**
 * The shape of the one command table. Every action the interface offers is
 * a Command; keys, the help overlay, the palette, the status bar and the
 * README key table are all derived from these records.
 */

/** Panes of the main screen, in focus order (their 1/2/3 keys follow this order). */
export const PANE_IDS = ['board', 'queue', 'processes'] as const;
export type PaneId = (typeof PANE_IDS)[number];

/** Modal layers; while one is open it receives keys first. */
export const OVERLAY_IDS = ['help', 'palette', 'log', 'details', 'confirm', 'prompt', 'shutdown'] as const;
export type OverlayId = (typeof OVERLAY_IDS)[number];

/** Where a command's keys are active: everywhere, in one pane, or in one overlay. */
export type Scope = 'global' | PaneId | OverlayId;

/** A normalised key name: 'a', 'A', ':', 'space', 'enter', 'esc', 'tab', 'shift+tab', 'up', 'ctrl+c', 'alt+x' … */
export type KeyName = string;

export type ToastLevel = 'info' | 'success' | 'warning' | 'error';

/** What a pane exposes about its selection, as plain data commands can act on. */
export type PaneSnapshot = {
	/** The selected item, if any. */
	selection?: {kind: string; id: string; label?: string; data?: Readonly<Record<string, unknown>>};
	/** How many items the pane lists (for "nothing to …" reasons). */
	count?: number;
};

/** A question the shell should ask before running follow-up intents. */
export type ConfirmIntent = {
	type: 'confirm';
	title: string;
	body?: string[];
	/** Label of the accepting choice, e.g. 'Delete'. */
	confirmLabel?: string;
	onConfirm: () => IntentResult;
	/** Runs when the question is declined (n, Esc), e.g. to release what was held for it. */
	onCancel?: () => IntentResult;
};

/** Asks for a line of text (names, notes, filters). */
export type PromptIntent = {
	type: 'prompt';
	title: string;
	initial?: string;
	/** Shown under the input, e.g. what the text will be used for. */
	help?: string;
	onSubmit: (text: string) => IntentResult;
};

/** Shows read-only text in a scrollable dialog (project details, notes, a job's log). */
export type ShowIntent = {type: 'show'; title: string; lines: string[]};

/**
 * What a command asks the shell to do. Commands never touch the interface
 * directly; they return intents and the shell carries them out in order.
 */
export type Intent =
	| {type: 'toast'; level: ToastLevel; text: string}
	| {type: 'open'; overlay: 'help' | 'palette' | 'log'; text?: string}
	| {type: 'close'}
	| {type: 'focus'; pane: PaneId | 'next' | 'previous'}
	| {type: 'pane'; pane: PaneId; action: PaneAction}
	| {type: 'overlay'; action: OverlayAction}
	| ConfirmIntent
	| PromptIntent
	| ShowIntent
	| {type: 'hint'; text: string}
	| {type: 'run'; id: string; args?: string; bang?: boolean}
	| {type: 'redraw'}
	| {type: 'dismiss-banner'}
	| {type: 'shutdown'; force: boolean};

/** An action for a pane reducer; each pane defines its own union. */
export type PaneAction = {type: string};

/** An action for the open overlay's reducer (cursor moves, choices). */
export type OverlayAction =
	| {type: 'move'; delta: number}
	| {type: 'page'; delta: number}
	| {type: 'submit'}
	| {type: 'complete'}
	| {type: 'cancel'}
	| {type: 'answer'; value: string};

export type IntentList = Intent | Intent[] | void;
/** What run() returns: intents now, or later (the shell shows a spinner after 200 ms). */
export type IntentResult = IntentList | Promise<IntentList>;

/**
 * Core services of one running interface. Pane owners extend this type with
 * what their commands need (the store, the queue, the process table).
 */
export type ShellServices = {
	paths: WorkspacePaths;
	/** The workspace's state store: `{paths, store}` is what core modules take as a workspace. */
	store: Store;
	env: NodeJS.ProcessEnv;
	/** The running session: `touch(project)` lists a project in its end record. */
	session: {readonly id: string; touch(project: string): void};
	commandLog: CommandLog;
	shutdown: ShutdownRegistry;
};

/** Everything a command may look at. */
export type CommandContext = {
	services: ShellServices;
	/** The pane that has focus. */
	focus: PaneId;
	/** The open overlay, if any. */
	overlay: OverlayId | undefined;
	/** Per-pane selection snapshots. */
	panes: Readonly<Partial<Record<PaneId, PaneSnapshot>>>;
	/** Text after the command name on the command line (`:sync web` → 'web'). */
	args: string;
	/** The command line name ended with '!' (`:cexit!`): skip waiting / questions. */
	bang: boolean;
	/** A shutdown is in progress. */
	shuttingDown: boolean;
	/** A start-up banner is on screen. */
	bannerShown: boolean;
};

/** One entry of the command table. */
export type Command = {
	/** Stable dotted id: 'app.cexit', 'board.promote'. Users rebind keys by id. */
	id: string;
	/** What it does, as shown in help and the palette. */
	title: string;
	/** Heading it is listed under in help and the README. */
	group: string;
	scope: Scope;
	/** Default keys (normalised names, see keys.ts). */
	keys: readonly KeyName[];
	/** Names accepted on the command line in addition to the id (`cexit`). */
	names?: readonly string[];
	/** Short label for the status bar; commands without one are not hinted. */
	hint?: string;
	/**
	 * Runs from the command line only when typed in full (name or id), never
	 * from a fuzzy match: a stray Enter must not trigger it.
	 */
	exactOnly?: boolean;
	/** Also active while an overlay is open (Ctrl+C's hint). Only for global commands. */
	anywhere?: boolean;
	/** Not listed in help or the palette (text-field plumbing). */
	hidden?: boolean;
	/** Why the command cannot run now; undefined when it can. */
	disabledReason?: (ctx: CommandContext) => string | undefined;
	run: (ctx: CommandContext) => IntentResult;
};
