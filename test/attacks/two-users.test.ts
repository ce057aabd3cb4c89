/**
 * Attack: two users on one machine. As root, two throwaway users are
 * created, each with a workspace under its own HOME; `cws` runs as each
 * (runuser). User A's cws cannot read or change B's workspace (a clear
 * permission message, B's files unchanged), and never signals B's
 * processes (`cws kill` and `cws cleanup --processes` as A leave B's
 * `sleep` alive). Not running as root, the test checks what one user can:
 * the workspace is private (0700) and cws refuses PID 1, a process of
 * another user. Running as root where useradd fails is a failure, not a skip.
 */
import {spawn, type ChildProcess} from 'node:child_process';
import {chmod, mkdir} from 'node:fs/promises';
import path from 'node:path';
import {execa} from 'execa';
import {afterAll, describe, expect, it} from 'vitest';
import {tempDirs} from '../helpers/tmp.js';
import {CLI_PATH, cws, expectNoCrash, fingerprint} from './helpers.js';

const dirs = tempDirs('attack-users');
const isRoot = process.getuid?.() === 0;
const suffix = `${process.pid.toString(36)}${Date.now().toString(36).slice(-4)}`;
const users = [`cwsa${suffix}`, `cwsb${suffix}`];
const created: string[] = [];
const children: ChildProcess[] = [];

afterAll(async () => {
	for (const child of children) child.kill('SIGKILL');
	for (const user of created) {
		await execa('userdel', ['--force', user], {reject: false, timeout: 10_000});
	}

	await dirs.cleanupAll();
});

/** Runs `cws <args> --workspace <root>` as `user` with its own HOME. */
async function cwsAs(user: string, home: string, root: string, args: string[]) {
	const result = await execa('runuser', ['-u', user, '--', process.execPath, CLI_PATH, ...args, '--workspace', root], {
		cwd: '/',
		env: {HOME: home, PATH: process.env['PATH'], CI: 'true', LANG: 'C.UTF-8'},
		extendEnv: false,
		reject: false,
		timeout: 30_000,
	});
	return {code: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr), ms: 0};
}

function alive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}

describe(isRoot ? 'two users (as root: real throwaway users)' : 'two users (not root: one user only, another user\'s process is PID 1)', () => {
	it(isRoot
		? 'user A\'s cws cannot read or change B\'s workspace and never signals B\'s processes'
		: 'the workspace is private and cws refuses to signal a process of another user', async () => {
		const base = await dirs.create();
		if (!isRoot) {
			const home = path.join(base, 'home');
			const root = path.join(base, 'ws');
			await mkdir(home);
			expect((await cws(home, root, ['new', 'app'])).code).toBe(0);
			expect((await fingerprint(root))['.']).toMatch(/mode=700 /);
			const result = await cws(home, root, ['kill', '1']);
			expect(result.code).toBe(1);
			expect(alive(1)).toBe(true);
			return;
		}

		await chmod(base, 0o711);
		const homes: string[] = [];
		for (const user of users) {
			const home = path.join(base, user);
			const add = await execa('useradd', ['--home-dir', home, '--create-home', '--shell', '/bin/sh', user], {reject: false, timeout: 20_000});
			expect(add.exitCode, `useradd ${user} failed as root: ${String(add.stderr)}`).toBe(0);
			created.push(user);
			homes.push(home);
		}

		const [a, b] = users as [string, string];
		const [homeA, homeB] = homes as [string, string];
		const wsA = path.join(homeA, 'ws');
		const wsB = path.join(homeB, 'ws');
		for (const [user, home, ws] of [[a, homeA, wsA], [b, homeB, wsB]] as const) {
			const made = await cwsAs(user, home, ws, ['new', 'app']);
			expect(made.code, `${user}: ${made.stderr}`).toBe(0);
			expect((await cwsAs(user, home, ws, ['note', 'app', `${user}'s note`])).code).toBe(0);
		}

		// A is stopped at B's door, home and workspace alike, with a message saying so.
		await chmod(homeB, 0o755); // Even with B's home open, the workspace itself is B's alone.
		const before = await fingerprint(wsB);
		const attempts = [
			['list'], ['status'], ['note', 'app'], ['note', 'app', 'from A'], ['move', 'app', 'active'], ['sync', 'app'],
			['whitelist', 'add', '--name', 'vim'], ['verify', '--repair'], ['init'], ['rm', 'app'], ['queue'],
		];
		for (const args of attempts) {
			const result = await cwsAs(a, homeA, wsB, args);
			expectNoCrash(result, `A: cws ${args.join(' ')} on B's workspace`);
			expect(result.code, `A: cws ${args.join(' ')} on B's workspace:\n${result.stdout}${result.stderr}`).toBe(1);
			expect(result.stderr, args.join(' ')).toMatch(/permission|not allowed|denied|cannot read|Permission/i);
			expect(result.stdout, args.join(' ')).not.toContain(`${b}'s note`);
		}

		expect(await fingerprint(wsB), 'B\'s workspace after A\'s attempts').toEqual(before);

		// B's process: A's cws must not signal it, by pid or by cleanup.
		const sleeper = spawn('runuser', ['-u', b, '--', 'sleep', '60'], {cwd: '/', stdio: 'ignore', detached: true});
		children.push(sleeper);
		let pid = 0;
		for (let tries = 0; tries < 50 && pid === 0; tries++) {
			await new Promise(resolve => setTimeout(resolve, 100));
			const found = await execa('pgrep', ['-u', b, '-x', 'sleep'], {reject: false});
			pid = Number(String(found.stdout).trim().split('\n')[0] ?? 0) || 0;
		}

		expect(pid, 'B\'s sleep started').toBeGreaterThan(0);
		const kill = await cwsAs(a, homeA, wsA, ['kill', String(pid), '--grace', '1']);
		expectNoCrash(kill, 'A: cws kill <B\'s pid>');
		expect(kill.code, kill.stdout + kill.stderr).toBe(1);
		expect(kill.stderr).toMatch(/another user|belongs to|not yours|user/i);
		const cleanup = await cwsAs(a, homeA, wsA, ['cleanup', '--processes', '--yes']);
		expectNoCrash(cleanup, 'A: cws cleanup --processes');
		const ps = await cwsAs(a, homeA, wsA, ['ps', '--all', '--json']);
		expectNoCrash(ps, 'A: cws ps --all');
		await new Promise(resolve => setTimeout(resolve, 1500));
		expect(alive(pid), 'B\'s sleep is still alive').toBe(true);
		process.kill(pid, 'SIGKILL');
	}, 60_000);
});
