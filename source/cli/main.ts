import {CwsError, isCwsError, isUsageError} from '../core/errors.js';
import {resolveWorkspaceRoot} from '../core/paths.js';
import {commandHelp, topHelp} from './help.js';
import {parseInvocation} from './parse.js';
import type {CliCommand, CliContext} from './types.js';

/** Options of the full-screen workspace, as `runTui` takes them. */
export type TuiOptions = {
	root: string;
	color: boolean;
	env: NodeJS.ProcessEnv;
	/** Prints a line before the full screen opens (that the workspace was created), as every CLI line is printed. */
	stderr?: (text: string) => void;
};

/** Everything the CLI touches in the outside world, so it can run inside a test too. */
export type CliEnvironment = {
	argv: string[];
	env: NodeJS.ProcessEnv;
	version: string;
	commands: CliCommand[];
	write: {stdout: (chunk: string) => void; stderr: (chunk: string) => void};
	/** True when both standard input and output are terminals. */
	interactive: boolean;
	/** Runs the full-screen workspace and resolves with its exit code; loaded lazily so subcommands never load Ink or React. */
	runTui: (options: TuiOptions) => Promise<number>;
};

/** Runs one `cws` invocation and resolves with the process exit code (0, 1 or 2). */
export async function runCli(environment: CliEnvironment): Promise<number> {
	const {write} = environment;
	const line = (sink: (chunk: string) => void) => (text: string) => {
		const safe = visibleControls(text);
		sink(safe.endsWith('\n') ? safe : `${safe}\n`);
	};

	const stdout = line(write.stdout);
	const stderr = line(write.stderr);
	try {
		const {command, positionals, values} = parseInvocation(environment.argv, environment.commands);
		if (values['help'] === true) {
			stdout(command ? commandHelp(command) : topHelp(environment.commands, environment.version));
			return 0;
		}

		if (!command && values['version'] === true) {
			stdout(environment.version);
			return 0;
		}

		const root = resolveWorkspaceRoot({flag: values['workspace'] as string | undefined, env: environment.env});
		if (!command) {
			return await startTui(environment, root, values, stderr);
		}

		const ctx: CliContext = {
			root,
			json: values['json'] === true,
			stdout,
			stderr,
			env: environment.env,
			async openWorkspace(options = {}) {
				const {openWorkspace} = await import('../core/workspace.js');
				const opened = await openWorkspace(root, {create: options.create ?? true});
				if (opened.created) {
					stderr(`Created a new workspace at ${opened.paths.root}`);
				}

				const [first] = opened.sweep.failed;
				if (first) {
					// Not fatal (reading works on a read-only disk), but never silent.
					const more = opened.sweep.failed.length > 1 ? ` and ${opened.sweep.failed.length - 1} more` : '';
					stderr(`cws: could not remove ${first.finding.path}${more} left by a dead process (${first.error}); run \`cws verify --repair\` once the disk is writable.`);
				}

				return opened;
			},
			runTui: async options => environment.runTui({...options, stderr}),
		};
		return await command.run({positionals, values, ctx});
	} catch (error) {
		return report(error, stderr);
	}
}

async function startTui(
	environment: CliEnvironment,
	root: string,
	values: Record<string, unknown>,
	stderr: (text: string) => void,
): Promise<number> {
	if (!environment.interactive) {
		throw new CwsError('NOT_A_TERMINAL', 'cws needs a terminal to open the full-screen workspace.', {
			hint: 'Run it in a terminal, or use a command such as `cws status` (see `cws --help`).',
		});
	}

	// The interface opens (and creates) the workspace itself, with the copy of
	// the core it bundles: opening it here as well would load and run a second
	// copy before it. Its errors are CwsErrors of that copy, which report()
	// knows by their brand.
	const {env} = environment;
	const color = values['no-color'] !== true && (env['NO_COLOR'] ?? '') === '' && env['FORCE_COLOR'] !== '0';
	return environment.runTui({root, color, env, stderr});
}

/** Prints an error the way the user needs it and picks the exit code. */
function report(error: unknown, stderr: (text: string) => void): number {
	if (isUsageError(error)) {
		stderr(error.hint ? `${error.message}\n${error.hint}` : error.message);
		return 2;
	}

	if (isCwsError(error)) {
		stderr(`cws: ${error.message}`);
		if (error.hint) {
			stderr(error.hint);
		}

		return 1;
	}

	const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
	stderr(`cws: unexpected error (this is a bug; please report it with the lines below)\n${detail}`);
	return 1;
}

/**
 * Characters a terminal acts on instead of printing: C0 (but newline and
 * tab), DEL, C1 and the bidi controls that reorder a line. They come from
 * folder names, notes and job logs, never from cws itself.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

/**
 * Every line the CLI prints passes here, so that a project folder named with
 * an escape sequence (or a note, or a job log) cannot set the window title or
 * clear the terminal. The `\u001b` form is visible as text and also a valid
 * JSON string escape, so `--json` output still parses to the exact data.
 */
function visibleControls(text: string): string {
	return text.replace(CONTROL, ch => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
