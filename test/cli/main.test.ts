import {existsSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {CwsError, UsageError} from '../../source/core/errors.js';
import {runCli, type TuiOptions} from '../../source/cli/main.js';
import type {CliCommand} from '../../source/cli/types.js';

type Seen = {name: string; positionals: string[]; values: Record<string, unknown>; root: string; json: boolean};

function fixture() {
	const seen: Seen[] = [];
	const command = (name: string, extra: Partial<CliCommand> = {}): CliCommand => ({
		name,
		summary: `the ${name} command`,
		usage: `cws ${name}`,
		positionals: {min: 0, max: 2},
		options: {json: {type: 'boolean', description: 'JSON'}, force: {type: 'boolean', short: 'f', description: 'force'}},
		async run({positionals, values, ctx}) {
			seen.push({name, positionals, values, root: ctx.root, json: ctx.json});
			ctx.stdout('done');
			return 0;
		},
		...extra,
	});
	const commands = [
		command('queue'),
		command('queue retry'),
		command('boom', {async run() {
			throw new TypeError('x is not a function');
		}}),
		command('fail', {async run() {
			throw new CwsError('STATE_CORRUPT', 'state.json is damaged.', {hint: 'Run `cws verify`.'});
		}}),
		command('misuse', {async run() {
			throw new UsageError('cws misuse: bad combination.', '');
		}}),
	];
	return {seen, commands};
}

async function run(argv: string[], env: NodeJS.ProcessEnv = {HOME: '/home/u'}) {
	const {seen, commands} = fixture();
	let stdout = '';
	let stderr = '';
	const tui: unknown[] = [];
	const code = await runCli({
		argv, env, version: '1.2.3', commands, interactive: false,
		write: {stdout: chunk => (stdout += chunk), stderr: chunk => (stderr += chunk)},
		async runTui(options) {
			tui.push(options);
			return 0;
		},
	});
	return {code, stdout, stderr, seen, tui};
}

describe('runCli', () => {
	it('picks the longest command name and passes positionals, flags, root and --json', async () => {
		const nested = await run(['queue', 'retry', 'abc', '--json', '-f', '--workspace', '/ws']);
		expect(nested.code).toBe(0);
		expect(nested.stdout).toBe('done\n');
		expect(nested.seen).toEqual([{name: 'queue retry', positionals: ['abc'], values: expect.objectContaining({json: true, force: true, workspace: '/ws'}) as unknown, root: '/ws', json: true}]);

		const plain = await run(['queue', 'other']);
		expect(plain.seen[0]).toMatchObject({name: 'queue', positionals: ['other'], root: '/home/u/claude-workspace', json: false});

		const flagFirst = await run(['--workspace', '/w2', 'queue']);
		expect(flagFirst.seen[0]).toMatchObject({name: 'queue', root: '/w2'});

		const env = await run(['queue'], {HOME: '/home/u', CWS_WORKSPACE: '/from-env'});
		expect(env.seen[0]?.root).toBe('/from-env');
	});

	it('prints message and hint for a CwsError and exits 1', async () => {
		const result = await run(['fail']);
		expect(result.code).toBe(1);
		expect(result.stderr).toBe('cws: state.json is damaged.\nRun `cws verify`.\n');
	});

	it('prints the stack of a bug and exits 1', async () => {
		const result = await run(['boom']);
		expect(result.code).toBe(1);
		expect(result.stderr).toContain('this is a bug');
		expect(result.stderr).toContain('TypeError: x is not a function');
		expect(result.stderr).toMatch(/\n\s+at /);
	});

	it('exits 2 for a UsageError thrown by a command, and for too many arguments', async () => {
		expect((await run(['misuse'])).code).toBe(2);
		const surplus = await run(['queue', 'retry', 'a', 'b', 'c']);
		expect(surplus.code).toBe(2);
		expect(surplus.stderr).toContain("too many arguments (from 'c')");
		expect(surplus.seen).toEqual([]);
	});

	it('never runs a command given --help, and `help <command>` shows the same', async () => {
		const flag = await run(['queue', 'retry', '--help']);
		const word = await run(['help', 'queue', 'retry']);
		expect(flag.code).toBe(0);
		expect(flag.seen).toEqual([]);
		expect(flag.stdout).toContain('Usage: cws queue retry');
		expect(word.stdout).toBe(flag.stdout);
	});

	it('refuses to open the full-screen workspace without a terminal', async () => {
		const result = await run([]);
		expect(result.code).toBe(1);
		expect(result.tui).toEqual([]);
		expect(result.stderr).toContain('needs a terminal');
	});

	it('leaves opening the workspace to the interface, which prints through the CLI', async () => {
		const root = path.join(os.tmpdir(), `cws-main-never-made-${process.pid}`);
		const seen: TuiOptions[] = [];
		const {code, stderr} = await runInTerminal(['--workspace', root, '--no-color'], async options => {
			seen.push(options);
			options.stderr?.(`Created a new workspace at ${options.root}\u001B]0;title\u0007`);
			return 0;
		});
		expect(code).toBe(0);
		expect(seen).toEqual([{root, color: false, env: {HOME: '/home/u'}, stderr: expect.any(Function) as unknown}]);
		// Nothing was created or even looked at by the CLI itself.
		expect(existsSync(root)).toBe(false);
		// A path with a control character cannot act on the terminal.
		expect(stderr).toBe(`Created a new workspace at ${root}\\u001b]0;title\\u0007\n`);
	});

	it('reports an error of the interface bundle (its own copy of CwsError) as a CwsError, not as a bug', async () => {
		// What the interface bundle's copy of errors.ts makes: another class, the same brand.
		class OtherCwsError extends Error {
			constructor(readonly code: string, message: string, readonly hint?: string) {
				super(message);
			}

			get [Symbol.for('cws.error')]() {
				return true;
			}
		}

		class OtherUsageError extends OtherCwsError {
			get [Symbol.for('cws.usage-error')]() {
				return true;
			}
		}

		const failed = await runInTerminal([], async () => {
			throw new OtherCwsError('WORKSPACE_NOT_DIR', '/w is a file, but the workspace needs a folder there.', 'Choose another place.');
		});
		expect(failed).toEqual({code: 1, stderr: 'cws: /w is a file, but the workspace needs a folder there.\nChoose another place.\n'});

		const usage = await runInTerminal([], async () => {
			throw new OtherUsageError('USAGE', 'cws: bad flag.', 'Run `cws --help`.');
		});
		expect(usage).toEqual({code: 2, stderr: 'cws: bad flag.\nRun `cws --help`.\n'});

		// An error without the brand is still a bug, whatever its fields.
		const bug = await runInTerminal([], async () => {
			throw Object.assign(new Error('boom'), {code: 'X', hint: 'h'});
		});
		expect(bug.code).toBe(1);
		expect(bug.stderr).toContain('this is a bug');
	});
});

/** Runs cws as if in a terminal (no subcommands), with `runTui` standing in for the interface. */
async function runInTerminal(argv: string[], runTui: (options: TuiOptions) => Promise<number>) {
	let stderr = '';
	const code = await runCli({
		argv, env: {HOME: '/home/u'}, version: '1.2.3', commands: [], interactive: true,
		write: {stdout() {}, stderr: chunk => (stderr += chunk)},
		runTui,
	});
	return {code, stderr};
}
