import {boardPane} from './board/index.js';
import {processesPane} from './processes/index.js';
import {queuePane} from './queue/index.js';
import type {AnyPane} from './types.js';

/** The panes of the main screen, in the order of PANE_IDS (focus order, keys 1/2/3). */
export const PANES: readonly AnyPane[] = [boardPane, queuePane, processesPane];
