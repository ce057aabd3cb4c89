import {readFile} from 'node:fs/promises';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {commandHelp} from '../../source/cli/help.js';
import {commands} from '../../source/cli/index.js';
import {makeTemp, removeTemp, runCws} from './run-cws.js';

let home: string;

beforeAll(async () => {
	home = await makeTemp();
});

afterAll(async () => {
	await removeTemp(home);
});

describe('cws --help and --version', () => {
	it('lists every subcommand that exists, one line each, and exits 0', async () => {
		const result = await runCws(['--help'], {home});
		expect(result.code).toBe(0);
		expect(result.stderr).toBe('');
		const lines = result.stdout.split('\n');
		expect(commands.length).toBeGreaterThanOrEqual(3);
		for (const command of commands) {
			const line = lines.find(candidate => candidate.trimStart().startsWith(`${command.name} `));
			expect(line, `a line for '${command.name}'`).toBeDefined();
			// A summary too long for 80 columns is cut with an ellipsis, never wrapped.
			const shown = line!.endsWith('…') ? line!.slice(0, -1).trimEnd().split(/\s{2,}/).at(-1)! : command.summary;
			expect(command.summary.startsWith(shown), `summary of '${command.name}'`).toBe(true);
			expect(line!.endsWith(shown) || line!.endsWith('…')).toBe(true);
		}

		for (const name of ['init', 'verify', 'status']) {
			expect(commands.map(command => command.name)).toContain(name);
		}

		expect(result.stdout).toContain('--workspace <dir>');
		expect(result.stdout).toContain('--version');
		for (const line of lines) {
			expect(line.length, `help line fits 80 columns: ${line}`).toBeLessThanOrEqual(80);
		}
	});

	it('accepts -h and `cws help`', async () => {
		const short = await runCws(['-h'], {home});
		const word = await runCws(['help'], {home});
		const long = await runCws(['--help'], {home});
		expect(short.code).toBe(0);
		expect(word.code).toBe(0);
		expect(short.stdout).toBe(long.stdout);
		expect(word.stdout).toBe(long.stdout);
	});

	it('prints the package version', async () => {
		const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as {version: string};
		const result = await runCws(['--version'], {home});
		expect(result.code).toBe(0);
		expect(result.stdout.trim()).toBe(pkg.version);
		const short = await runCws(['-V'], {home});
		expect(short.stdout.trim()).toBe(pkg.version);
	});

	it('keeps every command\'s help within 80 columns (a long usage line aside)', () => {
		for (const command of commands) {
			for (const line of commandHelp(command).split('\n').filter(text => !text.startsWith('Usage: '))) {
				expect(line.length, `cws ${command.name} --help: ${line}`).toBeLessThanOrEqual(80);
			}
		}
	});

	it('shows the usage and flags of one command with `cws <sub> --help`', async () => {
		const result = await runCws(['verify', '--help'], {home});
		expect(result.code).toBe(0);
		expect(result.stdout).toContain('Usage: cws verify [--repair] [--json]');
		expect(result.stdout).toContain('--repair');
		expect(result.stdout).toContain('--workspace <dir>');
		const word = await runCws(['help', 'verify'], {home});
		expect(word.stdout).toBe(result.stdout);
	});
});

describe('usage errors exit 2 with one line naming the culprit', () => {
	it('an unknown command', async () => {
		const result = await runCws(['frobnicate'], {home});
		expect(result.code).toBe(2);
		expect(result.stdout).toBe('');
		expect(result.stderr.trim().split('\n')).toHaveLength(1);
		expect(result.stderr).toContain('frobnicate');
		expect(result.stderr).toContain('cws --help');
	});

	it('suggests a close command name', async () => {
		const result = await runCws(['verfy'], {home});
		expect(result.code).toBe(2);
		expect(result.stderr).toContain("Did you mean 'verify'?");
	});

	it('an unknown flag, on cws itself and on a subcommand', async () => {
		const top = await runCws(['--frobnicate'], {home});
		expect(top.code).toBe(2);
		expect(top.stderr.trim().split('\n')).toHaveLength(1);
		expect(top.stderr).toContain("unknown flag '--frobnicate'");
		expect(top.stderr).toContain('cws --help');

		const sub = await runCws(['status', '--frobnicate'], {home});
		expect(sub.code).toBe(2);
		expect(sub.stderr.trim().split('\n')).toHaveLength(1);
		expect(sub.stderr).toContain("unknown flag '--frobnicate'");
		expect(sub.stderr).toContain('cws status --help');
	});

	it('a missing flag value and a surplus argument', async () => {
		const missing = await runCws(['status', '--workspace'], {home});
		expect(missing.code).toBe(2);
		expect(missing.stderr).toContain('--workspace needs a value');

		const surplus = await runCws(['status', 'extra'], {home});
		expect(surplus.code).toBe(2);
		expect(surplus.stderr).toContain("unexpected argument 'extra'");
	});
});

describe('errors a user can cause', () => {
	it('a workspace that does not exist: message and hint, exit 1, nothing created', async () => {
		const root = `${home}/nowhere`;
		const result = await runCws(['status', '--workspace', root], {home});
		expect(result.code).toBe(1);
		expect(result.stderr).toContain(`There is no workspace at ${root}`);
		expect(result.stderr).toContain('cws init');
		expect((await runCws(['status', '--workspace', root], {home})).code).toBe(1);
	});

	it('`cws` without a terminal says it needs one instead of hanging', async () => {
		const result = await runCws([], {home, timeout: 10_000});
		expect(result.code).toBe(1);
		expect(result.stderr).toContain('needs a terminal');
	});
});
