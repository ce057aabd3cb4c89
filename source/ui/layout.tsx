import {Box} from 'ink';
import type {PaneId} from '../commands/types.js';
import {Frame, frameInner} from './components/frame.js';
import type {AnyPane} from './panes/types.js';
import type {AppState} from './state/app-state.js';
import type {Theme} from './theme.js';

/**
 * Heights of the board and of the lower row for a main area of `height`
 * rows: the board gets the larger share, the lower panes at least 5 rows.
 */
export function splitHeights(height: number): {board: number; lower: number} {
	const lower = Math.max(5, Math.floor(height * 0.4));
	return {board: Math.max(3, height - lower), lower};
}

type PanesProps = {panes: readonly AnyPane[]; state: AppState; width: number; height: number; theme: Theme};

function PaneBox({pane, state, width, height, theme, index}: {pane: AnyPane; state: AppState; width: number; height: number; theme: Theme; index: number}) {
	const focused = state.focus === pane.id && state.overlays.length === 0;
	const inner = frameInner(width, height);
	const paneState = state.panes[pane.id as PaneId];
	return (
		<Frame title={`${index + 1} ${pane.title}`} summary={pane.summary?.(paneState)} focused={focused} width={width} height={height} theme={theme}>
			<pane.View state={paneState} focused={focused} width={inner.width} height={inner.height} theme={theme} />
		</Frame>
	);
}

/** The stage board across the top, the sync queue and processes side by side below. */
export function Panes({panes, state, width, height, theme}: PanesProps) {
	const {board, lower} = splitHeights(height);
	const [first, second, third] = panes;
	const left = Math.floor(width / 2);
	return (
		<Box flexDirection="column" width={width} height={height}>
			{first ? <PaneBox pane={first} index={0} state={state} width={width} height={board} theme={theme} /> : null}
			<Box flexDirection="row" width={width} height={lower}>
				{second ? <PaneBox pane={second} index={1} state={state} width={left} height={lower} theme={theme} /> : null}
				{third ? <PaneBox pane={third} index={2} state={state} width={width - left} height={lower} theme={theme} /> : null}
			</Box>
		</Box>
	);
}
