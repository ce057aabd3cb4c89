// Entry point of `cws`: parses the command line and runs a subcommand, or
// the full-screen workspace. The TUI is imported lazily so that subcommands
// start without loading Ink or React, and the subcommands are imported only
// when the command line may name one, so that the TUI starts without them.
import {fileURLToPath} from 'node:url';
import {setFlagsFromString} from 'node:v8';
import {runCli, type TuiOptions} from './source/cli/main.js';
import type {CliCommand} from './source/cli/types.js';

declare const CWS_VERSION: string;
/** The bundled full-screen workspace, a classic script next to cli.js (set by scripts/build.mjs). */
declare const CWS_TUI_SCRIPT: string | undefined;

type RunTui = (options: TuiOptions) => Promise<number>;

/**
 * The full-screen workspace. Bundled, it is a classic script run with V8's
 * compiled code of an earlier start (source/ui/code-cache.ts); `save`
 * stores the code once the interface has drawn and run a while, or when it
 * ends before that.
 */
async function loadTui(options: TuiOptions): Promise<{runTui: RunTui; save(): void}> {
	// V8 accepts a cache only under the flags it was made with, and the cache is
	// made after the interface ran: so the flags the interface needs are set
	// here, before it loads, and nowhere else. The regular-expression engine
	// flag only enables the 'l' flag of patterns (see compileRule in
	// source/core/processes/safe-regex.ts); the memory mode is set before the
	// workspace's state is read.
	setFlagsFromString('--enable-experimental-regexp-engine');
	// Imported here so that subcommands do not load node:crypto for it.
	const [{cwsCacheDir, loadCachedScript}, {favourMemoryForLargeWorkspace}] = await Promise.all([import('./source/ui/code-cache.js'), import('./source/ui/memory-mode.js')]);
	const flavour = largeWorkspace(options.root, favourMemoryForLargeWorkspace) ? 'size' : 'speed';
	if (typeof CWS_TUI_SCRIPT !== 'string') return {...await import('./source/ui/run.js'), save() {}};
	const script = loadCachedScript<{runTui: RunTui}>(fileURLToPath(new URL(CWS_TUI_SCRIPT, import.meta.url)), {cacheDir: cwsCacheDir(options.env), flavour});
	return {runTui: script.exports.runTui, save: () => script.save()};
}

/**
 * Whether the workspace is large (which also sets the memory mode). A root
 * whose size cannot be looked up (a file, no permission) is not: the
 * interface's opening of the workspace meets the same problem at once and
 * reports it with what to do, before anything is drawn.
 */
function largeWorkspace(root: string, favour: (root: string) => boolean): boolean {
	try {
		return favour(root);
	} catch {
		return false;
	}
}

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
let tuiRan = false;
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
		const {runTui, save} = await loadTui(options);
		tuiRan = true;
		const saving = setTimeout(save, 2000);
		saving.unref();
		const exitCode = await runTui(options);
		clearTimeout(saving);
		save();
		return exitCode;
	},
});
// After the full-screen workspace (which restored the terminal), leave even if a stray handle lingers.
if (tuiRan) process.exit(code);
process.exitCode = code;
