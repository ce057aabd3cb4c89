import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {execa} from 'execa';
import {afterEach, describe, expect, it} from 'vitest';
import {assertFitsWidth, startCws, useCwsCleanup} from '../helpers/pty.js';

useCwsCleanup();

/** A git identity for the fixture's commit and for cws's git, independent of the machine. */
const GIT_ENV = {
	GIT_AUTHOR_NAME: 'cws test',
	GIT_AUTHOR_EMAIL: 'test@example.invalid',
	GIT_COMMITTER_NAME: 'cws test',
	GIT_COMMITTER_EMAIL: 'test@example.invalid',
	GIT_CONFIG_NOSYSTEM: '1',
	GIT_CONFIG_GLOBAL: '/dev/null',
};

const dirs: string[] = [];
afterEach(async () => {
	await Promise.all(dirs.splice(0).map(async dir => rm(dir, {recursive: true, force: true})));
});

async function git(cwd: string, ...args: string[]): Promise<string> {
	const result = await execa('git', args, {cwd, env: {...process.env, ...GIT_ENV}, timeout: 20_000});
	return result.stdout.trim();
}

/**
 * A workspace with one Active project, `web`, whose repository has a commit
 * and a bare `origin` beside the workspace, and a config whose policy pushes
 * Active projects to origin.
 */
async function fixture(): Promise<{root: string; project: string; remote: string}> {
	const dir = await mkdtemp(path.join(os.tmpdir(), 'cws-queue-e2e-'));
	dirs.push(dir);
	const root = path.join(dir, 'ws');
	for (const stage of ['sandbox', 'active', 'stable', 'public']) await mkdir(path.join(root, stage), {recursive: true, mode: 0o700});
	await mkdir(path.join(root, '.cws'), {mode: 0o700});
	await writeFile(
		path.join(root, '.cws', 'config.json'),
		JSON.stringify({sync: {stages: {active: {targets: [{name: 'origin', kind: 'git', remote: 'origin'}]}}}}),
		{mode: 0o600},
	);
	const project = path.join(root, 'active', 'web');
	await mkdir(project);
	await git(project, 'init', '-q', '-b', 'main');
	await writeFile(path.join(project, 'README.md'), '# web\n');
	await git(project, 'add', '-A');
	await git(project, 'commit', '-q', '-m', 'first');
	const remote = path.join(dir, 'origin.git');
	await git(dir, 'init', '-q', '--bare', '-b', 'main', remote);
	await git(project, 'remote', 'add', 'origin', remote);
	return {root, project, remote};
}

/** The row of the screen that shows `text`, for messages. */
const rowWith = (screen: string[], text: string | RegExp): string | undefined =>
	screen.find(line => (typeof text === 'string' ? line.includes(text) : text.test(line)));

describe('syncing a project from the board at 80x24', () => {
	it('s on a card queues a job that runs and shows done; the remote has the commit; the card badge and the command log follow', async () => {
		const {root, project, remote} = await fixture();
		const head = await git(project, 'rev-parse', 'HEAD');
		const t = await startCws({workspace: root, cols: 80, rows: 24, env: GIT_ENV});
		await t.waitForText('Stage board', {timeout: 15_000});
		await t.waitForText('No sync jobs', {timeout: 10_000});

		// Active is the second column: select web there.
		t.press('l');
		await t.waitFor(screen => /▶ web/.test(screen.join('\n')), {message: 'web selected'});
		// The footer is cut to 80 columns, so the end of "never synced" may be an ellipsis.
		await t.waitForText(/never syn/, {timeout: 10_000});
		t.press('s');

		await t.waitForText(/sync queued: web → origin \[[0-9a-z]{9}-[0-9a-f]{8}\]/, {timeout: 10_000});
		const done = await t.waitFor(screen => /✓ web → origin +done/.test(screen.join('\n')), {timeout: 20_000, message: 'job done in the queue pane'});
		expect(rowWith(done, 'web → origin')).toMatch(/done \d+s ago/);
		await t.waitForText('synced web → origin', {timeout: 5000});
		expect(await git(remote, 'rev-parse', 'refs/heads/main')).toBe(head);

		// The board's badge for web: from "never synced" to a recent success.
		await t.waitFor(screen => !/never syn/.test(screen.join('\n')) && /synced \d+s ago|✓\d+s/.test(screen.join('\n')), {
			timeout: 10_000,
			message: 'card badge shows the sync',
		});
		assertFitsWidth(t);

		// The queue pane: the stats line and the job's log.
		t.press('2');
		const pane = await t.waitForText(/100% ok/);
		expect(rowWith(pane, 'depth 0')).toBeDefined();
		t.key('enter');
		await t.waitForText('Result: Pushed', {timeout: 5000});
		t.key('pagedown', 3);
		const log = await t.waitForText('git push --porcelain -- origin', {timeout: 5000});
		expect(log.join('\n')).toContain('running → done');
		assertFitsWidth(t);
		// Esc alone: a key typed right after it would read as Alt+key, so wait for the dialog to close.
		t.key('esc');
		await t.waitFor(screen => !screen.join('\n').includes('Job web → origin'), {message: 'log dialog closed'});

		// Every git command the job ran is in the command log.
		t.press('@');
		const commands = await t.waitForText(/exit 0 .*git push --porcelain/);
		expect(commands.join('\n')).toContain('git ls-remote');
		t.key('esc');
		await t.waitForText('Sync queue');

		// Nothing is unsynced, so cexit asks nothing and leaves.
		t.press(':');
		await t.waitForText('Command line');
		for (const ch of 'cexit') t.press(ch);
		t.key('enter');
		const exit = await t.waitForExit({timeout: 15_000});
		expect(exit.exitCode).toBe(0);
	});
});
