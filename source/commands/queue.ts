import type {Command} from './types.js';

/** Commands of the sync queue pane (scope 'queue'). */
export const queueCommands: Command[] = [];
