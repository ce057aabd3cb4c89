import type {Command} from './types.js';

/** Commands of the processes pane (scope 'processes'). */
export const processCommands: Command[] = [];
