import {spawnSync} from 'node:child_process';
import {access, mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {startCws, useCwsCleanup, type CwsTerminal} from '../helpers/pty.js';

useCwsCleanup();

const dirs: string[] = [];
afterEach(async () => {
	await Promise.all(dirs.splice(0).map(async dir => rm(dir, {recursive: true, force: true})));
});

async function tempDir(): Promise<string> {
	const dir = await mkdtemp(path.join(os.tmpdir(), 'cws-refusal-'));
	dirs.push(dir);
	return dir;
}

/** Starts `cws --workspace <root>` in a terminal and waits for it to end by itself. */
async function refused(root: string): Promise<{t: CwsTerminal; code: number; text: string}> {
	const t = await startCws({args: ['--workspace', root]});
	const exit = await t.waitForExit({timeout: 15_000});
	expect(exit.signal).toBeUndefined();
	// The full screen never opened (or was left): the terminal is as it was.
	expect(t.isAlternateScreen()).toBe(false);
	expect(t.isCursorVisible()).toBe(true);
	// The pty turns each '\n' into "\r\n"; xterm's screen wraps long lines, so read the raw output.
	return {t, code: exit.exitCode, text: t.output().replaceAll('\r\n', '\n')};
}

// The full-screen workspace opens (and creates) the workspace inside its own
// bundle: a workspace it cannot use must still end with the CLI's clear
// message and hint, never as an unexpected error.
describe('`cws` in a terminal on a workspace it cannot use', () => {
	it('refuses a regular file as the workspace root with the message, the hint and exit code 1', async () => {
		const file = path.join(await tempDir(), 'notes.txt');
		await writeFile(file, 'not a workspace\n');
		const {code, text} = await refused(file);
		expect(code).toBe(1);
		expect(text).toContain(`cws: ${file} is a file, but the workspace needs a folder there.\nChoose another place with --workspace <dir>, or move that file away.\n`);
		expect(text).not.toContain('unexpected error');
		expect(text).not.toContain('Created a new workspace');
	});

	it('refuses a root whose parent is a file', async () => {
		const file = path.join(await tempDir(), 'notes.txt');
		await writeFile(file, 'not a folder\n');
		const root = path.join(file, 'ws');
		const {code, text} = await refused(root);
		expect(code).toBe(1);
		expect(text).toContain(`cws: Cannot create ${root}: something that is not a folder is in the way.\nCheck the path to ${root}, move the file in the way, and try again.\n`);
		expect(text).not.toContain('unexpected error');
	});

	it('refuses a damaged layout (a file where a .cws folder belongs) and names it', async () => {
		const root = await tempDir();
		for (const stage of ['sandbox', 'active', 'stable', 'public', '.cws']) {
			await mkdir(path.join(root, stage), {mode: 0o700});
		}

		const locks = path.join(root, '.cws', 'locks');
		await writeFile(locks, '');
		const {code, text} = await refused(root);
		expect(code).toBe(1);
		expect(text).toContain(`cws: ${locks} is a file, but the workspace needs a folder there.\nMove ${locks} out of the way, then run \`cws init\` again.\n`);
		expect(text).not.toContain('unexpected error');
	});
});

describe('`cws` in a terminal on a workspace a killed session left behind', () => {
	it('sweeps it once, and the start-up notice tells what that sweep removed', async () => {
		const root = await tempDir();
		for (const stage of ['sandbox', 'active', 'stable', 'public', '.cws']) {
			await mkdir(path.join(root, stage), {mode: 0o700});
		}

		const dead = Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString());
		const start = {type: 'start', session: 'killed', at: new Date(Date.now() - 3_600_000).toISOString(), host: os.hostname(), pid: dead, user: 'me'};
		await writeFile(path.join(root, '.cws', 'sessions.jsonl'), `${JSON.stringify(start)}\n`, {mode: 0o600});
		// A state file the killed process was writing.
		const temp = path.join(root, '.cws', `.state.json.cws-tmp-${dead}-1a`);
		await writeFile(temp, '{"torn', {mode: 0o600});

		const t = await startCws({workspace: root});
		// Had anything swept before the interface's own opening, it would find nothing left to repair.
		await t.waitForText('Recovery: removed 1 unfinished temp file.', {timeout: 15_000});
		await expect(access(temp)).rejects.toMatchObject({code: 'ENOENT'});
		t.kill('SIGTERM');
		await t.waitForExit({timeout: 15_000});
	});
});
