import type {OpenedWorkspace} from '../core/workspace.js';
import type {TuiOptions} from './main.js';

/** One flag of a subcommand, in node:util parseArgs terms plus a line of help. */
export type CliOption = {
	type: 'boolean' | 'string';
	short?: string;
	description: string;
	multiple?: boolean;
	/** Shown in help as `--name <valueName>` for string options; defaults to 'value'. */
	valueName?: string;
};

/**
 * One subcommand. Each group of subcommands is a file in source/cli/
 * exporting a `CliCommand[]`; source/cli/index.ts collects them.
 */
export type CliCommand = {
	/** 'move', or 'queue retry' for a nested one. */
	name: string;
	/** One line for `cws --help`. */
	summary: string;
	/** 'cws move <name> <stage> [--force]' */
	usage: string;
	/** Its own flags. --workspace and --help are added to every command; declare --json here when the command prints data. */
	options?: Record<string, CliOption>;
	/** How many positional arguments it takes; none when absent. */
	positionals?: {min: number; max: number};
	/** Runs the command and resolves with its exit code (0 ok, 1 failure). Throw CwsError for user errors, UsageError for wrong arguments. */
	run(input: {positionals: string[]; values: Record<string, unknown>; ctx: CliContext}): Promise<number>;
};

/** What a command gets from the CLI around it. */
export type CliContext = {
	/** Absolute workspace root: --workspace, else $CWS_WORKSPACE, else ~/claude-workspace. */
	root: string;
	/** True when --json was given (and the command declares it). */
	json: boolean;
	/** Writes `text` to standard output, adding a newline unless it already ends with one. */
	stdout: (text: string) => void;
	/** Writes `text` to standard error, adding a newline unless it already ends with one. */
	stderr: (text: string) => void;
	env: NodeJS.ProcessEnv;
	/**
	 * Opens the workspace at `root` (layout checked, start-up sweep done).
	 * Creates it when missing unless `{create: false}`, saying so on stderr;
	 * with `{create: false}` a missing workspace is a CwsError telling the user to run `cws init`.
	 */
	openWorkspace(options?: {create?: boolean}): Promise<OpenedWorkspace>;
	/** Opens the full-screen workspace as the bare `cws` does (from its compiled-code cache); resolves with its exit code once the terminal is restored. */
	runTui(options: Omit<TuiOptions, 'stderr'>): Promise<number>;
};
