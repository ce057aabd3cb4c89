import {demoCommands} from './demo.js';
import {processCommands, withProcessCleanup} from './processes.js';
import {projectCommands} from './projects.js';
import {queueCommands} from './queue.js';
import type {CliCommand} from './types.js';
import {workspaceCommands} from './workspace.js';

/** Every subcommand of `cws`, in the order `cws --help` lists them. One line per group. */
export const commands: CliCommand[] = [
	...workspaceCommands,
	...withProcessCleanup(projectCommands),
	...processCommands,
	...queueCommands,
	...demoCommands,
];
