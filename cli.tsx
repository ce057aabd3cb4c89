// Entry point of `cws`: parses the command line and runs a subcommand, or
// the full-screen workspace. The TUI is imported lazily so that subcommands
// start without loading Ink or React, and the subcommands are imported only
// when the command line may name one, so that the TUI starts without them.
import {runCli} from './source/cli/main.js';
import type {CliCommand} from './source/cli/types.js';

declare const CWS_VERSION: string;

// A reader that stops early (`cws queue | head -3`) closes the pipe: that is
// not an error of ours, so leave quietly instead of crashing on EPIPE.
for (const stream of [process.stdout, process.stderr]) {
	stream.on('error', (error: NodeJS.ErrnoException) => {
		// The full-screen workspace listens too: a failed write there (EIO after
		// an SSH drop) is a lost terminal it shuts down for, not a crash.
		if (stream.listenerCount('error') > 1) return;
		if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
		throw error;
	});
}

/**
 * True when argv can only open the full-screen workspace: nothing but
 * `--no-color` and `--workspace <dir>`. Anything else (a word, --help, an
 * unknown flag) is parsed against the full command table, as always.
 */
function opensWorkspaceOnly(argv: readonly string[]): boolean {
	for (let index = 0; index < argv.length; index++) {
		const arg = argv[index]!;
		if (arg === '--no-color' || (arg.startsWith('--workspace=') && arg.length > '--workspace='.length)) continue;
		const value = argv[index + 1];
		if (arg === '--workspace' && value !== undefined && value !== '' && !value.startsWith('-')) {
			index++;
			continue;
		}

		return false;
	}

	return true;
}

const argv = process.argv.slice(2);
const commands: CliCommand[] = opensWorkspaceOnly(argv) ? [] : (await import('./source/cli/index.js')).commands;
const code = await runCli({
	argv,
	env: process.env,
	version: typeof CWS_VERSION === 'string' ? CWS_VERSION : 'dev',
	commands,
	write: {
		stdout: chunk => process.stdout.write(chunk),
		stderr: chunk => process.stderr.write(chunk),
	},
	interactive: Boolean(process.stdin.isTTY && process.stdout.isTTY),
	async runTui(options) {
		const {runTui} = await import('./source/ui/run.js');
		const exitCode = await runTui(options);
		// The TUI has restored the terminal; leave even if a stray handle lingers.
		process.exit(exitCode);
	},
});
process.exitCode = code;
