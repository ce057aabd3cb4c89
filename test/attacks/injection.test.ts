/**
 * Attack: shell and option injection through every string a user supplies
 * that reaches an external command, through the whole program (`cws sync`
 * then `cws queue work --once`), with a fake git, rsync and ssh first on
 * PATH that log their argv (one JSON line per call). Values arrive as one
 * literal argument each, positionals after `--`; values that would read as
 * an option are refused with a message naming the field. Also: whitelist
 * regular expressions that would take exponential time are refused, and the
 * accepted ones run in bounded time against a 50 kB hostile command line.
 * Proven in test/core/queue/injection.test.ts and not repeated: the runners
 * refusing option-like values in a hand-edited job file, and real git with
 * a hostile remote URL in the project's git config (it never reaches argv).
 */
import {spawn, type ChildProcess} from 'node:child_process';
import {chmod, mkdir, readdir, readFile, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {afterAll, afterEach, describe, expect, it} from 'vitest';
import {tempDirs} from '../helpers/tmp.js';
import {cws, expectNoCrash, REPO_ROOT} from './helpers.js';

const dirs = tempDirs('attack-inject');
afterAll(async () => dirs.cleanupAll());
const children: ChildProcess[] = [];
afterEach(() => {
	for (const child of children.splice(0)) child.kill('SIGKILL');
});

/** Strings a shell, an option parser or a terminal would act on. */
const HOSTILE = ['; rm -rf ~', '$(touch pwned)', '`touch pwned`', '--upload-pack=touch pwned', '-e sh -c pwned', 'a b\tc', '"q\'', 'ünï cödé ☃', '|| touch pwned &', '> pwned'];

/** Files an injected `touch pwned` would have made, anywhere under `dir`. */
async function markers(dir: string): Promise<string[]> {
	const entries = await readdir(dir, {recursive: true}).catch(() => [] as string[]);
	return entries.filter(entry => path.basename(entry) === 'pwned');
}

type Call = {tool: string; argv: string[]};

async function setup() {
	const base = await dirs.create();
	const home = path.join(base, 'home');
	const root = path.join(base, 'ws');
	const bin = path.join(base, 'bin');
	const log = path.join(base, 'argv.log');
	await mkdir(home);
	await mkdir(bin);
	for (const tool of ['git', 'rsync', 'ssh']) {
		await writeFile(path.join(bin, tool), `#!${process.execPath}\nrequire('fs').appendFileSync(${JSON.stringify(log)}, JSON.stringify({tool: ${JSON.stringify(tool)}, argv: process.argv.slice(2)}) + '\\n');\n`);
		await chmod(path.join(bin, tool), 0o755);
	}

	expect((await cws(home, root, ['new', 'app', '--stage', 'active'])).code).toBe(0);
	const env = {PATH: `${bin}:${process.env['PATH'] ?? ''}`};
	const calls = async (): Promise<Call[]> => (await readFile(log, 'utf8').catch(() => '')).split('\n').filter(Boolean).map(line => JSON.parse(line) as Call);
	const config = async (targets: unknown[]) => writeFile(path.join(root, '.cws', 'config.json'), JSON.stringify({sync: {stages: {active: {targets}}}}), {mode: 0o600});
	return {base, home, root, env, calls, config};
}

describe('values that reach git, rsync and ssh', () => {
	it('arrive literally, one argument each, positionals after `--`: backup paths, ssh destinations, rsync excludes, export repositories', async () => {
		const {base, home, root, env, calls, config} = await setup();
		const weird = HOSTILE.filter(value => !value.startsWith('-')).join(' ');
		const localDest = path.join(base, `back ups ${weird}`, '{project}');
		const sshDest = `backup.example:/srv/${weird}/{project}`;
		const repo = path.join(base, `pub ${weird}.git`);
		await config([
			{name: 'bk', kind: 'rsync', dest: localDest, excludes: HOSTILE},
			{name: 'far', kind: 'rsync', dest: sshDest, excludes: []},
			{name: 'pub', kind: 'export', repo, branch: 'main', privatePaths: HOSTILE},
		]);
		for (const args of [['sync', 'app'], ['sync', 'app', '--target', 'pub'], ['queue', 'work', '--once']]) {
			const result = await cws(home, root, args, env);
			expectNoCrash(result, args.join(' '));
			expect(result.code, `${args.join(' ')}\n${result.stdout}${result.stderr}`).toBe(0);
		}

		const log = await calls();
		const rsyncLocal = log.find(call => call.tool === 'rsync' && call.argv.includes(localDest.replace('{project}', 'app')));
		const rsyncSsh = log.find(call => call.tool === 'rsync' && call.argv.includes(sshDest.replace('{project}', 'app')));
		const clone = log.find(call => call.tool === 'git' && call.argv[0] === 'clone');
		expect(rsyncLocal, JSON.stringify(log, null, 1)).toBeDefined();
		expect(rsyncSsh, JSON.stringify(log, null, 1)).toBeDefined();
		expect(clone, JSON.stringify(log, null, 1)).toBeDefined();
		for (const call of [rsyncLocal!, rsyncSsh!]) {
			// The destination is the last argument, after `--`; ssh runs in batch mode and rsync keeps the remote path whole.
			expect(call.argv.at(-1)).toMatch(/\/app$/);
			expect(call.argv.indexOf('--')).toBe(call.argv.length - 3);
			expect(call.argv).toContain('--protect-args');
			expect(call.argv[call.argv.indexOf('-e') + 1]).toBe('ssh -o BatchMode=yes');
		}

		// Every exclude is exactly one `--exclude=<value>` argument, before `--`.
		for (const value of HOSTILE) {
			expect(rsyncLocal!.argv.indexOf(`--exclude=${value}`), value).toBeGreaterThan(-1);
			expect(rsyncLocal!.argv.indexOf(`--exclude=${value}`), value).toBeLessThan(rsyncLocal!.argv.indexOf('--'));
		}

		expect(clone!.argv[clone!.argv.indexOf('--') + 1]).toBe(repo);
		// No hostile value ever stands alone where a tool would read it as an option.
		for (const call of log) {
			const end = call.argv.indexOf('--') === -1 ? call.argv.length : call.argv.indexOf('--');
			expect(call.argv.slice(0, end).filter(arg => HOSTILE.includes(arg)), JSON.stringify(call)).toEqual([]);
		}

		expect(await markers(base)).toEqual([]);
		expect(await markers(REPO_ROOT).then(found => found.filter(entry => !entry.includes('node_modules')))).toEqual([]);
	}, 60_000);

	it('a value that would read as an option, or holds a newline, is refused with the field named and nothing runs', async () => {
		const {base, home, root, env, calls, config} = await setup();
		const bad: Array<[string, unknown]> = [
			['targets[0].remote', {name: 'x', kind: 'git', remote: '--upload-pack=touch pwned'}],
			['targets[0].branch', {name: 'x', kind: 'git', remote: 'origin', branch: '-oProxyCommand=touch pwned'}],
			['targets[0].branch', {name: 'x', kind: 'git', remote: 'origin', branch: 'main; touch pwned'}],
			['targets[0].dest', {name: 'x', kind: 'rsync', dest: '-e sh -c "touch pwned"'}],
			['targets[0].dest', {name: 'x', kind: 'rsync', dest: '-oProxyCommand=touch pwned:backups'}],
			['targets[0].repo', {name: 'x', kind: 'export', repo: '--upload-pack=touch pwned'}],
			['targets[0].repo', {name: 'x', kind: 'export', repo: 'ext::sh -c touch% pwned'}],
			['targets[0].excludes[0]', {name: 'x', kind: 'rsync', dest: path.join(base, 'b'), excludes: ['a\nb']}],
			['targets[0].dest', {name: 'x', kind: 'rsync', dest: path.join(base, 'b\n/x')}],
		];
		for (const [field, target] of bad) {
			await config([target]);
			const result = await cws(home, root, ['sync', 'app'], env);
			expectNoCrash(result, JSON.stringify(target));
			expect(result.code, JSON.stringify(target)).toBe(1);
			expect(result.stderr, JSON.stringify(target)).toContain(`sync.stages.active.${field}`);
			expect(result.stderr).toContain('config.json');
		}

		// Project names are checked before anything runs.
		for (const name of HOSTILE) {
			const result = await cws(home, root, ['new', name], env);
			expectNoCrash(result, `new ${name}`);
			expect(result.code, `new ${JSON.stringify(name)}`).not.toBe(0);
			const synced = await cws(home, root, ['sync', name], env);
			expect(synced.code, `sync ${JSON.stringify(name)}`).not.toBe(0);
		}

		expect(await calls()).toEqual([]);
		expect(await markers(base)).toEqual([]);
	}, 60_000);
});

describe('whitelist regular expressions', () => {
	it('exponential ones are refused with a clear message; accepted ones take bounded time against a 50 kB hostile command line', async () => {
		const {home, root} = await setup();
		for (const pattern of ['(a+)+$', '((a*)*)*c', '(x+x+)+y', '(.*a){20}', '^(\\w+\\s?)*$', '([a-z]+)*$', '(a|b+)*$', '(\\1)', '(?=a)a', 'a'.repeat(300)]) {
			const result = await cws(home, root, ['whitelist', 'add', '--cmdline', pattern]);
			expectNoCrash(result, pattern);
			expect(result.code, `${pattern} was accepted`).toBe(1);
			expect(result.stderr, pattern).toMatch(/refused|not allowed|at most|exponential/);
		}

		// Accepted, though a backtracking engine would take exponential or polynomial time on them.
		// None matches the process below (no 'z' in its command line), so each must be tried to the end.
		const accepted = ['(a|aa)*z', '^(a|a)*$', '.*a.*a.*a.*z', 'a{1000}z', '(aa|a)*z'];
		for (const pattern of accepted) {
			const result = await cws(home, root, ['whitelist', 'add', '--cmdline', pattern]);
			expect(result.code, `${pattern}: ${result.stderr}`).toBe(0);
		}

		// A workspace process whose command line is 50 kB of what those patterns choke on.
		const hostile = `${'a'.repeat(50_000)}!`;
		const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)', hostile], {cwd: path.join(root, 'active', 'app'), stdio: 'ignore'});
		children.push(child);
		await new Promise(resolve => setTimeout(resolve, 300));
		for (const args of [['ps', '--json'], ['ps', '--all'], ['kill', String(child.pid), '--grace', '1']]) {
			const result = await cws(home, root, args, {}, 20_000);
			expectNoCrash(result, args.join(' '));
			expect(result.ms, `cws ${args.join(' ')} took ${Math.round(result.ms)} ms`).toBeLessThan(10_000);
			expect(result.code, `cws ${args.join(' ')}: ${result.stdout}${result.stderr}`).toBe(0);
		}

		// No rule matched it, so it was stopped.
		const ended = await Promise.race([new Promise(resolve => child.once('exit', () => resolve(true))), new Promise(resolve => setTimeout(() => resolve(child.exitCode !== null || child.signalCode !== null), 3000))]);
		expect(ended, 'the hostile process was stopped').toBe(true);
	}, 60_000);
});
