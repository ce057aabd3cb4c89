import {EventEmitter} from 'node:events';
import {mkdtemp} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {render} from 'ink-testing-library';
import {buildRegistry, type KeyOverrides} from '../../source/commands/registry.js';
import type {ShellServices} from '../../source/commands/types.js';
import {CommandLog} from '../../source/core/command-log.js';
import {workspacePaths} from '../../source/core/paths.js';
import {ShutdownRegistry} from '../../source/core/shutdown.js';
import {Store} from '../../source/core/store.js';
import {App} from '../../source/ui/app.js';
import {ShellController, type ShutdownHandler} from '../../source/ui/controller.js';
import {applyColorLevel, makeTheme} from '../../source/ui/theme.js';
import {FAKE_COMMANDS, fakePanes} from './fake-panes.js';

/** A stand-in terminal: ink-testing-library draws 100 columns and knows no rows. */
export class FakeTerminal extends EventEmitter {
	constructor(
		public columns = 100,
		public rows = 30,
	) {
		super();
	}

	resize(columns: number, rows: number): void {
		this.columns = columns;
		this.rows = rows;
		this.emit('resize');
	}
}

// eslint-disable-next-line no-control-regex
const ansi = /\u001B\[[0-9;?]*[A-Za-z]/g;

/** Lets Ink attach useInput and process a write. */
export const tick = (ms = 30) => new Promise(resolve => setTimeout(resolve, ms));

export type ShellOptions = {
	/** Items of the stand-in board. */
	items?: string[];
	overrides?: KeyOverrides;
	color?: boolean;
	banner?: string[];
};

/** Renders the whole shell with stand-in panes, and a shutdown handler that only records requests. */
export async function renderShell(options: ShellOptions = {}) {
	const root = await mkdtemp(path.join(os.tmpdir(), 'cws-ui-'));
	const paths = workspacePaths(root);
	const panes = fakePanes(options.items);
	const commandLog = new CommandLog();
	const services: ShellServices = {paths, store: new Store(paths.meta), env: {}, session: {id: 'test', touch() {}}, commandLog, shutdown: new ShutdownRegistry()};
	const controller = new ShellController({
		registry: buildRegistry(FAKE_COMMANDS, options.overrides),
		panes,
		services,
		...(options.banner ? {banner: options.banner} : {}),
	});
	const shutdowns: boolean[] = [];
	const handler: ShutdownHandler = {
		request: force => shutdowns.push(force),
		choose() {},
		cancel() {},
		inProgress: false,
	};
	controller.setShutdownHandler(handler);
	applyColorLevel();
	const terminal = new FakeTerminal();
	const instance = render(<App controller={controller} panes={panes} theme={makeTheme(options.color ?? false)} terminal={terminal} />);
	controller.start();
	await tick(80);
	return {
		controller,
		commandLog,
		terminal,
		shutdowns,
		root,
		/** The last frame without colour codes. */
		frame: () => (instance.lastFrame() ?? '').replaceAll(ansi, ''),
		rawFrame: () => instance.lastFrame() ?? '',
		async press(data: string) {
			instance.stdin.write(data);
			await tick();
		},
		async type(text: string) {
			for (const ch of text) {
				instance.stdin.write(ch);
				await tick(5);
			}

			await tick();
		},
		dispose() {
			controller.stop();
			instance.unmount();
		},
	};
}
