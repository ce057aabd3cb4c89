/**
 * Attack: a permissive umask (000). Every folder cws creates must still be
 * 0700 and every file 0600, because mkdir and open apply the umask to the
 * mode asked for. Here the whole program runs under umask 000: the CLI for
 * init, projects, moves, notes, sync jobs (queued and run to a local backup
 * folder), the whitelist, a kill (audit log), a damaged state file
 * (quarantine and restore from backup), verify --repair, archive, restore
 * and the trash; then the full-screen interface (session log, locks) until
 * :cexit. Then every entry of .cws, the workspace root, the stage and
 * project folders and the backup folders is checked. The project's own
 * files (written by the user) are not cws's to chmod and are left out.
 */
import {spawn} from 'node:child_process';
import {lstat, mkdir, readdir, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {execa} from 'execa';
import {afterAll, describe, expect, it} from 'vitest';
import {startTerminal, useCwsCleanup} from '../helpers/pty.js';
import {tempDirs} from '../helpers/tmp.js';
import {CLI_PATH, REPO_ROOT} from './helpers.js';

useCwsCleanup();
const dirs = tempDirs('attack-umask');
afterAll(async () => dirs.cleanupAll());

/** `cws <args>` run by `sh` after `umask 000`. */
async function cwsUmask0(home: string, root: string, args: string[], input?: string) {
	const result = await execa('sh', ['-c', 'umask 000; exec "$0" "$@"', process.execPath, CLI_PATH, ...args, '--workspace', root], {
		cwd: REPO_ROOT,
		env: {HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), XDG_STATE_HOME: path.join(home, '.state'), CWS_WORKSPACE: undefined, CI: 'true', NODE_OPTIONS: undefined},
		reject: false,
		timeout: 30_000,
		...(input === undefined ? {stdin: 'ignore' as const} : {input}),
	});
	return {code: result.exitCode ?? -1, out: `${String(result.stdout)}\n${String(result.stderr)}`};
}

/** Every entry under `dir` (itself included) that is not 0700 (folders) or 0600 (files), skipping `skip(relative)`. */
async function wrongModes(dir: string, skip: (relative: string) => boolean = () => false): Promise<string[]> {
	const wrong: string[] = [];
	const walk = async (entry: string) => {
		const relative = path.relative(dir, entry) || '.';
		if (skip(relative)) {
			return;
		}

		const stats = await lstat(entry);
		const mode = stats.mode & 0o7777;
		if (stats.isDirectory()) {
			if (mode !== 0o700) wrong.push(`${relative}/ is ${mode.toString(8)}`);
			for (const name of await readdir(entry)) {
				await walk(path.join(entry, name));
			}
		} else if (stats.isFile()) {
			if (mode !== 0o600) wrong.push(`${relative} is ${mode.toString(8)}`);
		} else {
			wrong.push(`${relative} is neither a file nor a folder`);
		}
	};

	await walk(dir);
	return wrong;
}

describe('under umask 000', () => {
	it('every folder the CLI and the interface create is 0700 and every file 0600', async () => {
		const base = await dirs.create();
		const home = path.join(base, 'home');
		const root = path.join(base, 'ws');
		const backups = path.join(base, 'backups');
		await mkdir(home);
		const ok = async (args: string[]) => {
			const result = await cwsUmask0(home, root, args);
			expect(result.code, `cws ${args.join(' ')}\n${result.out}`).toBe(0);
			return result.out;
		};

		await ok(['init']);
		await ok(['new', 'app']);
		await ok(['new', 'lib', '--stage', 'active']);
		await ok(['note', 'app', 'first note']);
		await ok(['move', 'app', 'active']);
		await ok(['move', 'app', 'stable', '--force']);
		await writeFile(path.join(root, '.cws', 'config.json'), JSON.stringify({sync: {backupRoot: backups, stages: {active: {targets: [{name: 'bk', kind: 'rsync', dest: path.join(backups, '{project}')}]}}}}), {mode: 0o600});
		await ok(['sync', 'lib']);
		await ok(['queue', 'work', '--once']);
		await ok(['whitelist', 'add', '--name', 'vim', '--reason', 'editor']);
		// A process in a project, stopped through cws: the audit log records it.
		const sleeper = spawn('sleep', ['30'], {cwd: path.join(root, 'active', 'lib'), stdio: 'ignore'});
		await ok(['kill', String(sleeper.pid), '--grace', '1']);
		// A damaged state file: quarantined, restored from its backup.
		await writeFile(path.join(root, '.cws', 'state.json'), '{"torn', {mode: 0o600});
		expect((await cwsUmask0(home, root, ['list'])).code).toBeLessThanOrEqual(1);
		await ok(['verify', '--repair']);
		await ok(['archive', 'lib']);
		await ok(['restore', 'lib']);
		await ok(['rm', 'app']);

		// The full-screen interface, started under umask 000, left by :cexit.
		const t = await startTerminal({command: 'sh', args: ['-c', 'umask 000; exec "$0" "$@"', process.execPath, CLI_PATH, '--workspace', root], env: {HOME: home}});
		await t.waitForText('Stage board', {timeout: 20_000});
		t.press(':');
		for (const ch of 'cexit') t.press(ch);
		t.key('enter');
		expect(await t.waitForExit({timeout: 20_000})).toEqual({exitCode: 0, signal: undefined});

		// What was made: quarantine, backups, queue logs, audit and session logs.
		const made = await readdir(path.join(root, '.cws'), {recursive: true});
		for (const expected of ['audit.log', 'sessions.jsonl', 'quarantine', 'backups', 'queue', 'trash', 'archive']) {
			expect(made, expected).toContain(expected);
		}

		expect(made.some(name => name.startsWith('quarantine/') && name.endsWith('.bad')), 'a quarantined copy').toBe(true);
		expect(made.some(name => name.startsWith('queue/logs/')), 'a job log').toBe(true);
		// Project contents are the user's; the project folders themselves are cws's.
		const projectContents = (relative: string) => /^(sandbox|active|stable|public)\/[^/]+\/./.test(relative) || /^\.cws\/trash\/[^/]+\/./.test(relative);
		expect(await wrongModes(root, projectContents)).toEqual([]);
		expect(await wrongModes(backups, relative => relative.includes('/'))).toEqual([]);
	}, 90_000);
});
