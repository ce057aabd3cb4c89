import {chmod, mkdtemp, readFile, rm, rmdir, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {execa} from 'execa';
import {afterEach, describe, expect, it} from 'vitest';
import {isCwsError} from '../../../source/core/errors.js';
import {
	compileRules, linearRegexAvailable, MAX_MATCHED_COMMAND, ProcessControl, regexProblem, whitelistSpec,
	type ProcessInfo, type SignalAuditRecord,
} from '../../../source/core/processes/index.js';
import {Store} from '../../../source/core/store.js';
import {RuleMatchCache} from '../../../source/core/processes/match-cache.js';
import {initWorkspace} from '../../../source/core/workspace.js';
import {protectionToggle} from '../../../source/core/processes/index.js';
import {Spawner, testWorkspace, type TestWorkspace} from './helpers.js';

const spawner = new Spawner();
const workspaces: TestWorkspace[] = [];

afterEach(async () => {
	await spawner.killAll();
	await Promise.all(workspaces.splice(0).map(async ws => ws.dir.cleanup()));
});

async function setup(): Promise<TestWorkspace> {
	const ws = await testWorkspace();
	workspaces.push(ws);
	return ws;
}

async function refusal(promise: Promise<unknown>): Promise<string> {
	try {
		await promise;
	} catch (error) {
		if (isCwsError(error)) {
			expect(error.code).toBe('WHITELIST_INVALID_RULE');
			expect(error.hint).toBeTruthy();
			return error.message;
		}

		throw error;
	}

	throw new Error('the rule was accepted');
}

function fakeProcess(command: string, extra: Partial<ProcessInfo> = {}): ProcessInfo {
	const argv = command.split(' ');
	return {
		pid: 4242, ppid: 1, pgid: 4242, uid: 1000, user: 'alice', startTime: 1, startedAt: 0, state: 'S', comm: 'x',
		argv, command, name: argv[0]!.split('/').pop()!, exe: '/usr/bin/x', exeDeleted: false, cwd: null, rssBytes: 0,
		cpuTicks: 0, cpuPercent: 0, ...extra,
	};
}

describe('rule validation', () => {
	it('refuses bad, empty, exponential and unsupported rules with a clear message', async () => {
		const ws = await setup();
		expect(await refusal(ws.control.addRule({kind: 'cmdline', value: '([a-z'}))).toMatch(/not a valid regular expression/);
		expect(await refusal(ws.control.addRule({kind: 'cmdline', value: '(a+)+$'}))).toMatch(/repeated group contains a repetition.*exponential/);
		expect(await refusal(ws.control.addRule({kind: 'cmdline', value: '((x\\d*)y){2,}'}))).toMatch(/exponential/);
		expect(await refusal(ws.control.addRule({kind: 'cmdline', value: '(a)\\1'}))).toMatch(/back-references/);
		expect(await refusal(ws.control.addRule({kind: 'cmdline', value: '(?=a)b'}))).toMatch(/lookahead/);
		expect(await refusal(ws.control.addRule({kind: 'cmdline', value: '   '}))).toMatch(/empty/);
		expect(await refusal(ws.control.addRule({kind: 'name', value: ''}))).toMatch(/empty/);
		expect(await refusal(ws.control.addRule({kind: 'name', value: 'bin/vim'}))).toMatch(/bare name/);
		expect(await refusal(ws.control.addRule({kind: 'exe', value: 'vim'}))).toMatch(/absolute path/);
		expect(await refusal(ws.control.addRule({kind: 'exe', value: '/no/such/program'}))).toMatch(/does not exist/);
		expect(await refusal(ws.control.addRule({kind: 'name', value: 'vim', user: 'bad user'}))).toMatch(/not a user name/);
		expect(await refusal(ws.control.addRule({kind: 'cmdline', value: 'x'.repeat(300)}))).toMatch(/at most 256/);
		// Nothing refused was written.
		const userRules = (await ws.control.rules()).filter(rule => rule.origin === 'user');
		expect(userRules).toEqual([]);
	});

	it('accepts ordinary patterns, including quantified groups without nested repetition', () => {
		for (const pattern of ['node .*vite', '^python3? -m http\\.server', '(ab)+c', '(a|b)?x+', '[(]+\\)', 'a{2}(b{1})*', '(\\S*/)?tmux(:| |$)']) {
			expect(regexProblem(pattern), pattern).toBeUndefined();
		}
	});

	it('matches in linear time on long, hostile command lines', () => {
		expect(linearRegexAvailable()).toBe(true);
		const [rule] = compileRules([{id: 'r', kind: 'cmdline', value: '.*a.*a.*a.*b', reason: 'x', origin: 'user', createdAt: ''}]);
		const started = performance.now();
		expect(rule!.test(fakeProcess('a'.repeat(MAX_MATCHED_COMMAND * 4)))).toBe(false);
		expect(performance.now() - started).toBeLessThan(500);
	});

	it('matches exe, name and command line as documented, and honours the user limit', () => {
		const rules = compileRules([
			{id: 'e', kind: 'exe', value: '/usr/bin/vim.basic', reason: 'x', origin: 'user', createdAt: ''},
			{id: 'n', kind: 'name', value: 'bash', reason: 'x', origin: 'user', createdAt: ''},
			{id: 'c', kind: 'cmdline', value: '^node .*vite', user: 'bob', reason: 'x', origin: 'user', createdAt: ''},
		]);
		const matching = (process: ProcessInfo) => rules.filter(rule => rule.test(process)).map(rule => rule.rule.id);
		expect(matching(fakeProcess('vi file', {exe: '/usr/bin/vim.basic'}))).toEqual(['e']);
		expect(matching(fakeProcess('vim file', {exe: '/tmp/vim'}))).toEqual([]);
		expect(matching(fakeProcess('-bash', {name: 'bash'}))).toEqual(['n']);
		expect(matching(fakeProcess('node x/vite', {user: 'bob'}))).toEqual(['c']);
		expect(matching(fakeProcess('node x/vite', {user: 'alice'}))).toEqual([]);
	});
});

describe('rule match cache', () => {
	it('runs the rules again only for new processes, changed command lines or changed rules', () => {
		const calls: string[] = [];
		const rules = compileRules([{id: 'c', kind: 'cmdline', value: 'keep', reason: 'x', origin: 'user', createdAt: ''}])
			.map(rule => ({...rule, test: (process: ProcessInfo) => {
				calls.push(process.command);
				return rule.test(process);
			}}));
		const cache = new RuleMatchCache();
		const first = fakeProcess('node keep.js');
		expect(cache.match(rules, first).map(rule => rule.rule.id)).toEqual(['c']);
		expect(cache.match(rules, first).map(rule => rule.rule.id)).toEqual(['c']);
		expect(calls).toEqual(['node keep.js']);
		const retitled = {...first, command: 'node worker'};
		expect(cache.match(rules, retitled)).toEqual([]);
		const reused = {...first, startTime: 2};
		expect(cache.match(rules, reused).map(rule => rule.rule.id)).toEqual(['c']);
		expect(cache.match([...rules], reused).map(rule => rule.rule.id)).toEqual(['c']);
		expect(calls).toEqual(['node keep.js', 'node worker', 'node keep.js', 'node keep.js']);
	});
});

describe('whitelist.json', () => {
	it('is written with the default rules on first use', async () => {
		const ws = await setup();
		const rules = await ws.control.rules();
		const ids = rules.map(rule => rule.id);
		for (const id of ['default-shell-bash', 'default-tmux', 'default-screen', 'default-sshd', 'default-editor-vim', 'default-editor-nvim', 'default-editor-emacs', 'default-editor-code', 'default-claude', 'default-cws', 'default-systemd']) {
			expect(ids).toContain(id);
		}

		const file = JSON.parse(await readFile(ws.paths.whitelist, 'utf8')) as {generation: number; payload: {rules: unknown[]}};
		expect(file.generation).toBe(1);
		expect(file.payload.rules).toHaveLength(rules.length);
	});

	it('default rules protect programs that rewrite their argv', () => {
		const rules = compileRules(testDefaults());
		const protectedBy = (command: string) => rules.filter(rule => rule.test(fakeProcess(command))).map(rule => rule.rule.id);
		expect(protectedBy('sshd: alice@pts/0')).toEqual(['default-sshd']);
		expect(protectedBy('tmux: server (/tmp/tmux-1000/default)')).toEqual(['default-tmux']);
		expect(protectedBy('SCREEN -S work')).toEqual(['default-screen']);
		expect(protectedBy('/lib/systemd/systemd-journald')).toEqual(['default-systemd']);
		expect(protectedBy('node /usr/local/bin/cws queue work')).toEqual(['default-cws']);
		expect(protectedBy('sh -c vite')).toEqual([]);
		expect(protectedBy('node server.js')).toEqual([]);
		expect(protectedBy('tmuxinator start')).toEqual([]);
	});

	it('keeps added and removed rules across a restart (a new Store and ProcessControl)', async () => {
		const ws = await setup();
		const {rule, added} = await ws.control.addRule({kind: 'cmdline', value: '^node .*vite', reason: 'dev server I keep', user: 'root'});
		expect(added).toBe(true);
		expect((await ws.control.addRule({kind: 'cmdline', value: '^node .*vite', user: 'root'})).added).toBe(false);
		await ws.control.removeRule('default-editor-code');

		const again = new ProcessControl({root: ws.paths.root, store: new Store(ws.paths.meta)});
		const rules = await again.rules();
		expect(rules.find(candidate => candidate.id === rule.id)).toEqual(rule);
		expect(rules.some(candidate => candidate.id === 'default-editor-code')).toBe(false);
		await expect(again.removeRule('no-such-rule')).rejects.toMatchObject({code: 'WHITELIST_NO_SUCH_RULE'});
	});

	it('refuses to load a hand-edited file with a bad rule instead of ignoring the rule', async () => {
		const ws = await setup();
		await ws.control.rules();
		const store = new Store(ws.paths.meta);
		// A valid envelope around an invalid payload: only the schema can catch it.
		await store.update(whitelistSpec, current => current);
		const text = JSON.parse(await readFile(ws.paths.whitelist, 'utf8')) as {payload: {rules: Array<{value: string}>}};
		expect(() => whitelistSpec.parse({rules: [{...text.payload.rules[0], kind: 'cmdline', value: '(a*)*'}]})).toThrow(/rules\[0\].*exponential/);
		expect(() => whitelistSpec.parse({rules: [text.payload.rules[0], text.payload.rules[0]]})).toThrow(/unique/);
		await writeFile(ws.paths.whitelist, '{"not": "an envelope"}');
		// The store restores the last good generation and says so.
		const reports: string[] = [];
		store.onRecovery(report => reports.push(report.message));
		const loaded = await store.read(whitelistSpec);
		expect(loaded.recovered).toBeDefined();
		expect(loaded.data.rules.length).toBeGreaterThan(5);
		expect(reports).toHaveLength(1);
		expect(reports[0]).toContain('whitelist.json');
	});

	it('writes audit lines that are each valid JSON with every field', async () => {
		const ws = await setup();
		const project = await ws.project('sandbox', 'web');
		const a = await spawner.start('sleep', ['30'], {cwd: project});
		const b = await spawner.start('sleep', ['31'], {cwd: project});
		await ws.control.runCleanup(await ws.control.planCleanup(), {requestedBy: 'tui', graceMs: 2000});
		await ws.control.stopProcess({pid: 1, startTime: 0}, {requestedBy: 'cli'});
		const lines = (await readFile(ws.paths.audit, 'utf8')).split('\n');
		expect(lines.at(-1)).toBe('');
		const records = lines.slice(0, -1).map(line => JSON.parse(line) as SignalAuditRecord);
		expect(records.length).toBe(3);
		for (const record of records) {
			expect(Object.keys(record).sort()).toEqual(expect.arrayContaining(['command', 'pid', 'requestedBy', 'result', 'signal', 'startTime', 'time', 'type']));
			expect(Number.isNaN(Date.parse(record.time))).toBe(false);
		}

		expect(records.filter(record => record.result === 'delivered').map(record => record.pid).sort()).toEqual([a.pid, b.pid].sort());
		expect(records.find(record => record.pid === a.pid)?.command).toBe('sleep 30');
	});
});

function testDefaults() {
	return whitelistSpec.initial().rules;
}

describe('read-only workspace', () => {
	// Root ignores permission bits, so as root the workspace sits on a tmpfs
	// remounted read-only; as another user chmod takes its place.
	it('still lists and protects with the default rules when whitelist.json cannot be written', async () => {
		const isRoot = process.getuid?.() === 0;
		const base = await mkdtemp(path.join(os.tmpdir(), 'cws-processes-ro-'));
		if (isRoot) {
			await execa('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', base], {timeout: 10_000});
		}

		try {
			const {paths} = await initWorkspace(path.join(base, 'ws'));
			if (isRoot) {
				await execa('mount', ['-o', 'remount,ro', base], {timeout: 10_000});
			} else {
				await chmod(paths.meta, 0o500);
			}

			const control = new ProcessControl({root: paths.root, store: new Store(paths.meta)});
			const rules = await control.rules();
			expect(rules.map(rule => rule.id)).toContain('default-shell-bash');
			expect((await control.snapshot('mine')).entries.find(entry => entry.pid === process.pid)?.protection.protected).toBe(true);
			await expect(control.addRule({kind: 'name', value: 'x'})).rejects.toMatchObject({code: 'READ_ONLY'});
		} finally {
			if (isRoot) {
				await execa('umount', [base], {timeout: 10_000});
				await rmdir(base);
			} else {
				await chmod(path.join(base, 'ws', '.cws'), 0o700);
				await rm(base, {recursive: true, force: true});
			}
		}
	});
});

describe('the protect toggle', () => {
	it('adds an exe rule, removes the rules that match, and never offers to lift built-in protection', async () => {
		const ws = await setup();
		const sleeper = await spawner.start('sleep', ['30'], {cwd: await ws.project('sandbox', 'web')});
		const entryOf = async (pid: number) => (await ws.control.snapshot('mine')).entries.find(entry => entry.pid === pid)!;

		const add = protectionToggle(await entryOf(sleeper.pid));
		expect(add).toMatchObject({action: 'add', rule: {kind: 'exe'}});
		if (add.action !== 'add') {
			throw new Error('expected add');
		}

		const {rule} = await ws.control.addRule(add.rule);
		expect((await entryOf(sleeper.pid)).protection.protected).toBe(true);
		const remove = protectionToggle(await entryOf(sleeper.pid));
		expect(remove).toMatchObject({action: 'remove', ruleIds: [rule.id]});
		await ws.control.removeRule(rule.id);
		expect((await entryOf(sleeper.pid)).protection.protected).toBe(false);

		expect(protectionToggle(await entryOf(process.pid))).toMatchObject({action: 'none', description: expect.stringContaining('this cws process')});
	});
});
