import {readFileSync} from 'node:fs';
import {mkdir, realpath} from 'node:fs/promises';
import path from 'node:path';
import {execa} from 'execa';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {isAlive, Spawner} from '../core/processes/helpers.js';
import {makeTemp, removeTemp, runCws} from './run-cws.js';

let home: string;
let root: string;
const spawner = new Spawner();

beforeAll(async () => {
	home = await makeTemp();
	root = path.join(home, 'ws');
	const init = await runCws(['init', root], {home});
	expect(init.code).toBe(0);
});

afterEach(async () => {
	await spawner.killAll();
});

afterAll(async () => {
	await removeTemp(home);
});

async function cws(...args: string[]) {
	return runCws([...args, '--workspace', root], {home});
}

async function project(stage: string, name: string): Promise<string> {
	const dir = path.join(root, stage, name);
	await mkdir(dir, {recursive: true});
	return dir;
}

type PsJson = {workspace: string; scope: string; processes: Array<{pid: number; project: string | null; protected: boolean; protectedBy: Array<{text: string}>; command: string}>; projects: Record<string, number>};

describe('cws ps', () => {
	it('--json lists workspace processes with project and protection, and --all adds the rest of ours', async () => {
		const sleeper = await spawner.start('sleep', ['30'], {cwd: await project('sandbox', 'web')});
		const result = await cws('ps', '--json');
		expect(result.code).toBe(0);
		const listing = JSON.parse(result.stdout) as PsJson;
		expect(listing.workspace).toBe(await realpath(root));
		expect(listing.scope).toBe('workspace');
		const entry = listing.processes.find(candidate => candidate.pid === sleeper.pid);
		expect(entry).toMatchObject({project: 'sandbox/web', protected: false, command: 'sleep 30'});
		expect(listing.projects).toEqual({'sandbox/web': 1});
		expect(listing.processes.some(candidate => candidate.pid === process.pid)).toBe(false);

		const all = JSON.parse((await cws('ps', '--all', '--json')).stdout) as PsJson;
		expect(all.scope).toBe('mine');
		const self = all.processes.find(candidate => candidate.pid === process.pid);
		expect(self?.protected).toBe(true);
		expect(self?.protectedBy.map(reason => reason.text).join(' ')).toContain('ancestor of this cws process');

		const text = await cws('ps');
		expect(text.stdout).toMatch(new RegExp(`^${sleeper.pid}\\s+\\S+\\s+[\\d.]+\\s+\\S+\\s+\\S+\\s+sandbox/web\\s+sleep 30$`, 'm'));
	});
});

describe('cws whitelist', () => {
	it('adds, lists and removes rules; refuses bad ones with exit codes 1 and 2', async () => {
		const added = await cws('whitelist', 'add', '--name', 'devserver', '--reason', 'keep it', '--json');
		expect(added.code).toBe(0);
		const {rule} = JSON.parse(added.stdout) as {added: boolean; rule: {id: string; kind: string; value: string}};
		expect(rule).toMatchObject({kind: 'name', value: 'devserver'});

		const list = JSON.parse((await cws('whitelist', '--json')).stdout) as {rules: Array<{id: string}>; builtIn: string[]};
		expect(list.rules.map(candidate => candidate.id)).toContain(rule.id);
		expect(list.rules.map(candidate => candidate.id)).toContain('default-editor-vim');
		expect(list.builtIn.join(' ')).toContain('other users');
		expect((await cws('whitelist', 'list')).stdout).toContain(`${rule.id}  name devserver: keep it`);

		const bad = await cws('whitelist', 'add', '--cmdline', '(a+)+');
		expect(bad.code).toBe(1);
		expect(bad.stderr).toContain('exponential');
		const broken = await cws('whitelist', 'add', '--cmdline', '([');
		expect(broken.code).toBe(1);
		expect(broken.stderr).toContain('not a valid regular expression');
		const none = await cws('whitelist', 'add', '--reason', 'nothing');
		expect(none.code).toBe(2);
		const two = await cws('whitelist', 'add', '--name', 'a', '--exe', '/bin/sh');
		expect(two.code).toBe(2);
		expect((await cws('whitelist', 'remove')).code).toBe(2);
		expect((await cws('whitelist', 'frobnicate')).code).toBe(2);
		expect((await cws('whitelist', 'list', '--name', 'x')).code).toBe(2);

		const removed = await cws('whitelist', 'remove', rule.id);
		expect(removed.code).toBe(0);
		expect(removed.stdout).toContain(rule.id);
		const again = await cws('whitelist', 'remove', rule.id);
		expect(again.code).toBe(1);
		expect(again.stderr).toContain(`No rule "${rule.id}"`);
	});
});

describe('cws kill', () => {
	it('refuses protected targets with exit 1 naming the reason, and bad arguments with exit 2', async () => {
		const pid1 = await cws('kill', '1');
		expect(pid1.code).toBe(1);
		expect(pid1.stderr).toContain('PID 1');
		const parent = await cws('kill', String(process.pid));
		expect(parent.code).toBe(1);
		expect(parent.stderr).toContain('ancestor of this cws process');
		expect((await cws('kill', 'abc')).code).toBe(2);
		expect((await cws('kill', '123', '--signal', 'USR1')).code).toBe(2);
		expect((await cws('kill', '123', '--grace', 'soon')).code).toBe(2);
		const missing = await cws('kill', '999999999');
		expect(missing.code).toBe(1);
		expect(missing.stderr).toContain('No process with pid 999999999');
	});

	it('refuses a process a rule protects, naming the rule; stops it once the rule is gone', async () => {
		const sleepPath = await realpath((await execa('sh', ['-c', 'command -v sleep'], {timeout: 5000})).stdout.trim());
		const sleeper = await spawner.start('sleep', ['30'], {cwd: await project('active', 'api')});
		const {rule} = JSON.parse((await cws('whitelist', 'add', '--exe', sleepPath, '--reason', 'test keeps it', '--json')).stdout) as {rule: {id: string}};

		const refused = await cws('kill', String(sleeper.pid));
		expect(refused.code).toBe(1);
		expect(refused.stderr).toContain(`rule ${rule.id}: test keeps it`);
		expect(isAlive(sleeper)).toBe(true);

		expect((await cws('whitelist', 'remove', rule.id)).code).toBe(0);
		const stopped = await cws('kill', String(sleeper.pid), '--grace', '2');
		expect(stopped.code).toBe(0);
		expect(stopped.stdout).toContain(`stopped pid ${sleeper.pid} (SIGTERM`);
		expect(isAlive(sleeper)).toBe(false);
		const audit = readFileSync(path.join(root, '.cws', 'audit.log'), 'utf8').trim().split('\n').map(line => JSON.parse(line) as {pid: number; result: string});
		expect(audit.filter(line => line.pid === sleeper.pid).map(line => line.result)).toEqual(['refused', 'delivered']);
	});
});

describe('cws cleanup --processes', () => {
	it('needs --yes without a terminal, lists with --dry-run, stops with --yes', async () => {
		const dir = await project('sandbox', 'tmp');
		const a = await spawner.start('sleep', ['30'], {cwd: dir});
		const b = await spawner.start('sleep', ['31'], {cwd: dir});

		const unconfirmed = await cws('cleanup', '--processes');
		expect(unconfirmed.code).toBe(1);
		expect(unconfirmed.stderr).toContain('--yes');
		const dry = await cws('cleanup', '--processes', '--dry-run', '--json');
		expect(dry.code).toBe(0);
		const plan = JSON.parse(dry.stdout) as {dryRun: boolean; plan: {stops: Array<{pid: number}>}};
		expect(plan.plan.stops.map(stop => stop.pid).sort()).toEqual([a.pid, b.pid].sort());
		expect(isAlive(a) && isAlive(b)).toBe(true);

		const done = await cws('cleanup', '--processes', '--yes', '--grace', '2');
		expect(done.code).toBe(0);
		expect(done.stdout).toContain('Will stop 2 workspace processes');
		expect(isAlive(a) || isAlive(b)).toBe(false);
		expect((await cws('cleanup')).code).toBe(2);
	});
});
