import {Box} from 'ink';
import {useSyncExternalStore} from 'react';
import {Banner, bannerHeight} from './components/banner.js';
import {MessageLine} from './components/message-line.js';
import {StatusBar} from './components/status-bar.js';
import {MIN_COLUMNS, MIN_ROWS, TooSmall} from './components/too-small.js';
import type {ShellController} from './controller.js';
import {useRawInput} from './hooks/use-raw-input.js';
import {useTerminalSize, type SizeSource} from './hooks/use-terminal-size.js';
import {Panes} from './layout.js';
import {OverlayLayer} from './overlay-layer.js';
import type {AnyPane} from './panes/types.js';
import {topOverlay} from './state/app-state.js';
import {statusHints} from './status-model.js';
import type {Theme} from './theme.js';

export type AppProps = {
	controller: ShellController;
	panes: readonly AnyPane[];
	theme: Theme;
	/** The real terminal (size and resize events). */
	terminal: SizeSource;
};

/**
 * The whole screen. Its single input subscription is the only place keys
 * enter the program; everything below only draws.
 */
export function App({controller, panes, theme, terminal}: AppProps) {
	const state = useSyncExternalStore(controller.subscribe, controller.getState);
	const commandLog = controller.context().services.commandLog;
	const logEntries = useSyncExternalStore(
		listener => commandLog.subscribe(listener),
		() => commandLog.entries(),
	);
	const {columns, rows} = useTerminalSize(terminal);
	useRawInput(controller.handleInput);

	if (columns < MIN_COLUMNS || rows < MIN_ROWS) return <TooSmall columns={columns} rows={rows} />;
	const top = topOverlay(state);
	const banner = top ? 0 : bannerHeight(state.banner, columns);
	const main = rows - 2 - banner;
	return (
		<Box flexDirection="column" width={columns} height={rows}>
			{banner > 0 && state.banner ? <Banner lines={state.banner} width={columns} theme={theme} /> : null}
			{top ? (
				<OverlayLayer overlay={top} controller={controller} logEntries={logEntries} width={columns} height={main} theme={theme} />
			) : (
				<Panes panes={panes} state={state} width={columns} height={main} theme={theme} />
			)}
			<MessageLine state={state} width={columns} theme={theme} />
			<StatusBar hints={statusHints(controller.registry, state.focus, top?.kind)} width={columns} theme={theme} />
		</Box>
	);
}
