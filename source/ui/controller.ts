import {resolveKey, unavailableReason} from '../commands/dispatch.js';
import {keyFromChar, keysFromSequence, PASTE_END, PASTE_START, type KeyPress} from '../commands/keys.js';
import type {Registry} from '../commands/registry.js';
import type {Command, CommandContext, Intent, IntentResult, ShellServices, ToastLevel} from '../commands/types.js';
import {isCwsError} from '../core/errors.js';
import {handleOverlayAction} from './overlay-actions.js';
import type {AnyPane} from './panes/types.js';
import {initialAppState, newOverlay, reduceApp, topOverlay, type AppAction, type AppState} from './state/app-state.js';

/** What the shutdown flow offers the controller (see shutdown-flow.ts). */
export type ShutdownHandler = {
	request(force: boolean): void;
	choose(): void;
	cancel(): void;
	readonly inProgress: boolean;
};

export type ControllerOptions = {
	registry: Registry;
	panes: readonly AnyPane[];
	services: ShellServices;
	banner?: string[];
	/** Called for Ctrl+L: the terminal writer repaints every line. */
	onRedraw?: () => void;
};

/** An error as one toast: a CwsError's message and hint; anything else is a bug and says so. */
export function errorText(error: unknown): string {
	if (isCwsError(error)) return error.hint ? `${error.message} ${error.hint}` : error.message;
	return `unexpected error: ${error instanceof Error ? error.message : String(error)}`;
}

/** A command still running after this long gets the spinner. */
export const SPINNER_DELAY_MS = 200;
const SPINNER_INTERVAL_MS = 100;
/** A paste whose end marker has not come after this pause is over (keys work again). */
const PASTE_IDLE_MS = 500;
const toastMs: Record<ToastLevel, number> = {info: 4000, success: 4000, warning: 7000, error: 10_000};

/**
 * The shell's brain outside React: holds the state, turns key presses into
 * commands through the one dispatcher, runs commands and carries out the
 * intents they return. React subscribes with useSyncExternalStore.
 */
export class ShellController {
	private state: AppState;
	private readonly listeners = new Set<() => void>();
	private readonly timers = new Set<NodeJS.Timeout>();
	private spinner: NodeJS.Timeout | undefined;
	private nextId = 1;
	private stops: Array<() => void> = [];
	private shutdownHandler: ShutdownHandler | undefined;
	/** Time of the last input inside a bracketed paste; undefined when not pasting. */
	private pasting: number | undefined;
	/** The pane the person looks at, as last told to the panes (null before start). */
	private front: string | undefined | null = null;

	constructor(private readonly options: ControllerOptions) {
		this.state = initialAppState(options.panes, options.banner);
	}

	readonly getState = (): AppState => this.state;

	readonly subscribe = (listener: () => void): (() => void) => {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	};

	get registry(): Registry {
		return this.options.registry;
	}

	setShutdownHandler(handler: ShutdownHandler): void {
		this.shutdownHandler = handler;
	}

	get shutdown(): ShutdownHandler | undefined {
		return this.shutdownHandler;
	}

	get services(): ShellServices {
		return this.options.services;
	}

	dispatch(action: AppAction): void {
		const next = reduceApp(this.state, action, this.options.panes);
		if (next === this.state) return;
		this.state = next;
		this.tellForeground();
		for (const listener of this.listeners) listener();
	}

	/** Tells the panes that came to the front or left it (focus moved, an overlay opened or closed). */
	private tellForeground(): void {
		if (this.front === null) return;
		const front = this.state.overlays.length === 0 ? this.state.focus : undefined;
		if (front === this.front) return;
		const previous = this.front;
		this.front = front;
		for (const pane of this.options.panes) {
			if (pane.id === previous || pane.id === front) pane.foreground?.(this.options.services, pane.id === front);
		}
	}

	/** Starts the panes' data feeds. */
	start(): void {
		for (const pane of this.options.panes) {
			const stop = pane.start?.(this.options.services, action => this.dispatch({type: 'pane', pane: pane.id, action}), (level, text) => this.toast(level, text));
			if (stop) this.stops.push(stop);
		}

		const front = this.state.overlays.length === 0 ? this.state.focus : undefined;
		this.front = front;
		for (const pane of this.options.panes) pane.foreground?.(this.options.services, pane.id === front);
	}

	/** Stops feeds and timers; the controller is done. */
	stop(): void {
		this.front = null;
		for (const stop of this.stops) stop();
		this.stops = [];
		for (const timer of this.timers) clearTimeout(timer);
		this.timers.clear();
		if (this.spinner) clearInterval(this.spinner);
		this.spinner = undefined;
	}

	/** Entry point of every key: one input event of Ink's stdin parser (see useRawInput). */
	readonly handleInput = (input: string): void => {
		const now = Date.now();
		// A paste whose end marker never came must not swallow keys for ever.
		if (this.pasting !== undefined && now - this.pasting > PASTE_IDLE_MS) this.pasting = undefined;
		if (input === PASTE_START || input === PASTE_END) {
			this.pasting = input === PASTE_START ? now : undefined;
			return;
		}

		if (this.pasting !== undefined) {
			this.pasting = now;
			this.paste(input);
			return;
		}

		for (const press of keysFromSequence(input)) this.handlePress(press);
	};

	/** Pasted text goes to the open text field, as text only; elsewhere it is ignored. */
	private paste(text: string): void {
		const top = topOverlay(this.state);
		if (top?.kind !== 'help' && top?.kind !== 'palette' && top?.kind !== 'prompt') {
			this.toast('info', 'pasted text ignored: open a text field first (: for the command line)');
			return;
		}

		for (const ch of text.replaceAll(/[\r\n\t]+/g, ' ')) {
			const press = keyFromChar(ch);
			if (press?.text !== undefined) this.dispatch({type: 'text', press});
		}
	}

	handlePress(press: KeyPress): void {
		const top = topOverlay(this.state);
		const textInput = top?.kind === 'help' || top?.kind === 'palette' || top?.kind === 'prompt';
		const resolution = resolveKey(this.options.registry, {focus: this.state.focus, overlay: top?.kind, textInput}, press);
		if (resolution.kind === 'text') this.dispatch({type: 'text', press});
		else if (resolution.kind === 'command') this.execute(resolution.command);
	}

	/** The context commands see right now. */
	context(args = '', bang = false): CommandContext {
		const panes: CommandContext['panes'] = Object.fromEntries(
			this.options.panes.map(pane => [pane.id, pane.snapshot(this.state.panes[pane.id])]),
		);
		return {
			services: this.options.services,
			focus: this.state.focus,
			overlay: topOverlay(this.state)?.kind,
			panes,
			args,
			bang,
			shuttingDown: this.shutdownHandler?.inProgress ?? false,
			bannerShown: this.state.banner !== undefined,
		};
	}

	/** Runs a command if it is available, else says why. */
	execute(command: Command, args = '', bang = false): void {
		const ctx = this.context(args, bang);
		const reason = unavailableReason(command, ctx);
		if (reason) {
			this.toast('warning', `${command.title}: ${reason}`);
			return;
		}

		let result: IntentResult;
		try {
			result = command.run(ctx);
		} catch (error) {
			this.toast('error', errorText(error));
			return;
		}

		if (result instanceof Promise) this.track(command.title, result);
		else this.apply(result);
	}

	/** Shows a toast that expires by itself. */
	toast(level: ToastLevel, text: string): void {
		const id = this.nextId++;
		this.dispatch({type: 'toast', toast: {id, level, text}});
		this.later(toastMs[level], () => this.dispatch({type: 'expire', id}));
	}

	/** Carries out intents in order. */
	apply(result: Intent | Intent[] | void): void {
		if (!result) return;
		for (const intent of Array.isArray(result) ? result : [result]) this.applyOne(intent);
	}

	private applyOne(intent: Intent): void {
		switch (intent.type) {
			case 'toast':
				return this.toast(intent.level, intent.text);
			case 'hint':
				return this.toast('info', intent.text);
			case 'open':
				return this.dispatch({type: 'open', overlay: newOverlay(intent.overlay, intent.text)});
			case 'close':
				return this.dispatch({type: 'close'});
			case 'focus':
				return this.dispatch({type: 'focus', pane: intent.pane});
			case 'pane':
				return this.dispatch({type: 'pane', pane: intent.pane, action: intent.action});
			case 'overlay':
				return handleOverlayAction(this, intent.action);
			case 'confirm':
				return this.dispatch({type: 'open', overlay: {kind: 'confirm', intent}});
			case 'show':
				return this.dispatch({type: 'open', overlay: {kind: 'details', intent, selected: 0}});
			case 'prompt':
				return this.dispatch({type: 'open', overlay: {kind: 'prompt', intent, input: {value: intent.initial ?? '', cursor: (intent.initial ?? '').length}}});
			case 'run': {
				const command = this.options.registry.byId.get(intent.id);
				if (command) this.execute(command, intent.args, intent.bang);
				else this.toast('error', `no command ${intent.id}`);
				return;
			}

			case 'redraw':
				this.dispatch({type: 'redraw'});
				this.options.onRedraw?.();
				return;
			case 'dismiss-banner':
				return this.dispatch({type: 'banner', lines: undefined});
			case 'shutdown':
				if (this.shutdownHandler) this.shutdownHandler.request(intent.force);
				else this.toast('error', 'shutdown is not available');
				return;
		}
	}

	/** Runs a follow-up (confirm, prompt) like a command. */
	settle(title: string, fn: () => IntentResult): void {
		try {
			const result = fn();
			if (result instanceof Promise) this.track(title, result);
			else this.apply(result);
		} catch (error) {
			this.toast('error', errorText(error));
		}
	}

	/** Waits for an async command: spinner after 200 ms, intents or an error toast when it settles. */
	private track(title: string, promise: Promise<Intent | Intent[] | void>): void {
		const id = this.nextId++;
		let shown = false;
		const timer = this.later(SPINNER_DELAY_MS, () => {
			shown = true;
			this.dispatch({type: 'busy', id, title});
			this.spinner ??= setInterval(() => this.dispatch({type: 'tick'}), SPINNER_INTERVAL_MS);
		});
		const done = () => {
			clearTimeout(timer);
			this.timers.delete(timer);
			if (!shown) return;
			this.dispatch({type: 'idle', id});
			if (this.state.busy.length === 0 && this.spinner) {
				clearInterval(this.spinner);
				this.spinner = undefined;
			}
		};

		promise.then(
			intents => {
				done();
				this.apply(intents);
			},
			(error: unknown) => {
				done();
				this.toast('error', errorText(error));
			},
		);
	}

	private later(ms: number, fn: () => void): NodeJS.Timeout {
		const timer = setTimeout(() => {
			this.timers.delete(timer);
			fn();
		}, ms);
		timer.unref();
		this.timers.add(timer);
		return timer;
	}
}
