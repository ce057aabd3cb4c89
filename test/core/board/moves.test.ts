import {execFileSync} from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {newProject} from '../../../source/core/board/lifecycle.js';
import {GateError, checkGates, demoteProject, moveProject, promoteProject} from '../../../source/core/board/moves.js';
import {reconcileIntents} from '../../../source/core/board/reconcile.js';
import {boardStateSpec} from '../../../source/core/board/schema.js';
import {verifyBoard} from '../../../source/core/board/verify.js';
import {CwsError} from '../../../source/core/errors.js';
import {readJsonl} from '../../../source/core/jsonl.js';
import {tempDirs} from '../../helpers/tmp.js';
import {FAILING, PASSING, git, makeProject, makeWorkspace, whereIs} from './helpers.js';

const temps = tempDirs('board-moves');
afterAll(async () => temps.cleanupAll());

async function fresh() {
	return makeWorkspace(await temps.create());
}

describe('moveProject', () => {
	it('renames the folder and records history; demotion has no gates', async () => {
		const ws = await fresh();
		await makeProject(ws, 'sandbox', 'tool', {'a.txt': 'x'}, {git: false});
		const result = await moveProject(ws, 'tool', 'active', {requestedBy: 'test'});
		expect(result).toMatchObject({from: 'sandbox', to: 'active', forced: false, gates: []});
		expect(await whereIs(ws, 'tool')).toEqual(['active']);
		expect(await fs.readFile(path.join(ws.paths.stageDir.active, 'tool', 'a.txt'), 'utf8')).toBe('x');
		const {data} = await ws.store.read(boardStateSpec);
		const history = data.projects['tool']!.history;
		expect(history.map(entry => [entry.from, entry.to])).toEqual([[null, 'sandbox'], ['sandbox', 'active']]);
		expect(history[1]).toMatchObject({forced: false, by: 'test'});
		expect(data.pending).toBeNull();

		// Not a git repository at all: a demotion still goes through.
		const down = await demoteProject(ws, 'tool');
		expect(down.to).toBe('sandbox');
		expect(await whereIs(ws, 'tool')).toEqual(['sandbox']);
		expect((await verifyBoard(ws)).errors).toEqual([]);
	});

	it('blocks Stable on a dirty tree and on failing tests, and moves when all pass', async () => {
		const ws = await fresh();
		const dir = await makeProject(ws, 'active', 'svc', PASSING);
		await fs.writeFile(path.join(dir, 'wip.txt'), 'uncommitted');
		const dirty = await moveProject(ws, 'svc', 'stable').catch((error: unknown) => error);
		expect(dirty).toBeInstanceOf(GateError);
		expect((dirty as GateError).message).toMatch(/Clean working tree: 1 uncommitted change/);
		expect(await whereIs(ws, 'svc')).toEqual(['active']);

		await git(dir, 'add', '-A');
		await git(dir, 'commit', '-qm', 'wip');
		const moved = await promoteProject(ws, 'svc');
		expect(moved.to).toBe('stable');
		expect(moved.gates.map(gate => [gate.id, gate.ok])).toEqual([['git-repo', true], ['clean-tree', true], ['tests', true]]);
		expect(await whereIs(ws, 'svc')).toEqual(['stable']);

		await makeProject(ws, 'active', 'broken', FAILING);
		const failing = await moveProject(ws, 'broken', 'stable').catch((error: unknown) => error) as GateError;
		expect(failing.code).toBe('GATES_FAILED');
		const tests = failing.results.find(gate => gate.id === 'tests')!;
		expect(tests.ok).toBe(false);
		expect(tests.output).toContain('1 failing');
		// The output is kept for viewing.
		expect(await fs.readFile(path.join(ws.paths.meta, 'gates', 'broken.test.log'), 'utf8')).toContain('1 failing');
		expect(await whereIs(ws, 'broken')).toEqual(['active']);
	});

	it('reuses the gate results of a refused move when it is then confirmed (tests run once)', async () => {
		const ws = await fresh();
		const counter = path.join(await temps.create(), 'runs');
		const script = `require('fs').appendFileSync(${JSON.stringify(counter)}, 'x'); process.exit(1)`;
		await makeProject(ws, 'active', 'slow', {'.cws.json': JSON.stringify({test: [process.execPath, '-e', script]})});
		const refused = await moveProject(ws, 'slow', 'stable').catch((error: unknown) => error) as GateError;
		expect(refused.report).toMatchObject({name: 'slow', from: 'active', to: 'stable', ok: false});
		expect(await fs.readFile(counter, 'utf8')).toBe('x');
		const confirmed = await moveProject(ws, 'slow', 'stable', {force: true, gates: refused.report, requestedBy: 'tui'});
		expect(confirmed).toMatchObject({forced: true, entry: {failedGates: ['tests'], by: 'tui'}});
		expect(await fs.readFile(counter, 'utf8')).toBe('x');
		expect(await whereIs(ws, 'slow')).toEqual(['stable']);
	});

	it('says "no test command" when there is none', async () => {
		const ws = await fresh();
		await makeProject(ws, 'active', 'plain', {'README.md': 'x'});
		const report = await checkGates(ws, 'plain');
		expect(report.to).toBe('stable');
		expect(report.results.find(gate => gate.id === 'tests')).toMatchObject({ok: false, reason: expect.stringMatching(/^no test command/)});
	});

	it('blocks Public without LICENSE, remote or with tracked secrets; --force moves and is recorded', async () => {
		const ws = await fresh();
		const {LICENSE: _omitted, ...noLicense} = PASSING;
		await makeProject(ws, 'stable', 'lib', {...noLicense, 'keys/server.pem': 'secret'});
		const report = await checkGates(ws, 'lib');
		const failed = Object.fromEntries(report.results.filter(gate => !gate.ok).map(gate => [gate.id, gate.reason]));
		expect(Object.keys(failed).sort()).toEqual(['license', 'no-secrets', 'remote']);
		expect(failed['no-secrets']).toContain('keys/server.pem');
		await expect(moveProject(ws, 'lib', 'public')).rejects.toMatchObject({code: 'GATES_FAILED'});
		expect(await whereIs(ws, 'lib')).toEqual(['stable']);

		const forced = await moveProject(ws, 'lib', 'public', {force: true, reason: 'launch day', requestedBy: 'cli'});
		expect(forced.forced).toBe(true);
		expect(await whereIs(ws, 'lib')).toEqual(['public']);
		const {data} = await ws.store.read(boardStateSpec);
		expect(data.projects['lib']!.history.at(-1)).toMatchObject({from: 'stable', to: 'public', forced: true, reason: 'launch day', failedGates: ['license', 'remote', 'no-secrets']});
		const audit = await readJsonl<Record<string, unknown>>(ws.paths.audit);
		expect(audit).toEqual([expect.objectContaining({event: 'forced-move', project: 'lib', from: 'stable', to: 'public', failedGates: ['license', 'remote', 'no-secrets']})]);

		// With a license, a remote and the secret untracked, the gates pass.
		const dir = path.join(ws.paths.stageDir.public, 'lib');
		await git(dir, 'rm', '-q', '--cached', 'keys/server.pem');
		await fs.rm(path.join(dir, 'keys'), {recursive: true});
		await fs.writeFile(path.join(dir, 'LICENSE'), 'MIT');
		await git(dir, 'add', '-A');
		await git(dir, 'commit', '-qm', 'license');
		await git(dir, 'remote', 'add', 'origin', '/nonexistent/remote.git');
		await demoteProject(ws, 'lib');
		const clean = await checkGates(ws, 'lib');
		expect(clean.results.every(gate => gate.ok)).toBe(true);
	});

	it('refuses a target that exists, a cross-device rename, symlinks, and an unknown project', async () => {
		const ws = await fresh();
		await makeProject(ws, 'sandbox', 'dup', {}, {git: false});
		await fs.mkdir(path.join(ws.paths.stageDir.active, 'other'));
		await makeProject(ws, 'sandbox', 'other', {}, {git: false}).catch(() => undefined);
		await expect(moveProject(ws, 'other', 'active')).rejects.toMatchObject({code: 'AMBIGUOUS'});

		const exdev = Object.assign(new Error('EXDEV: cross-device link not permitted'), {code: 'EXDEV'});
		const error = await moveProject(ws, 'dup', 'active', {rename: async () => {
			throw exdev;
		}}).catch((caught: unknown) => caught) as CwsError;
		expect(error.code).toBe('CROSS_DEVICE');
		expect(error.message).toMatch(/different file systems/);
		expect(await whereIs(ws, 'dup')).toEqual(['sandbox']);
		expect((await ws.store.read(boardStateSpec)).data.pending).toBeNull();

		const outside = await temps.create();
		await fs.symlink(outside, path.join(ws.paths.stageDir.sandbox, 'linked'));
		await expect(moveProject(ws, 'linked', 'active')).rejects.toMatchObject({code: 'SYMLINK_REFUSED'});
		await expect(moveProject(ws, 'nothing', 'active')).rejects.toMatchObject({code: 'NOT_FOUND'});
		await expect(moveProject(ws, 'dup', 'sandbox')).rejects.toMatchObject({code: 'ALREADY_THERE'});
		await expect(moveProject(ws, 'dup', 'attic' as never)).rejects.toMatchObject({code: 'BAD_STAGE'});

		await fs.rm(ws.paths.stageDir.stable, {recursive: true});
		await fs.symlink(outside, ws.paths.stageDir.stable);
		await expect(moveProject(ws, 'dup', 'stable', {force: true})).rejects.toMatchObject({code: 'SYMLINK_REFUSED'});
		expect(await fs.readdir(outside)).toEqual([]);
	});
});

describe('folders moved by hand', () => {
	it('are recorded as such at the next move, so history stays a chain', async () => {
		const ws = await fresh();
		const {dir} = await newProject(ws, 'wanderer');
		await fs.rename(dir, path.join(ws.paths.stageDir.active, 'wanderer'));
		expect((await verifyBoard(ws)).warnings.map(warning => warning.code)).toEqual(['moved-outside']);
		await moveProject(ws, 'wanderer', 'stable', {force: true});
		const {data} = await ws.store.read(boardStateSpec);
		expect(data.projects['wanderer']!.history.map(entry => [entry.from, entry.to, entry.reason])).toEqual([
			[null, 'sandbox', 'created'],
			['sandbox', 'active', 'moved outside cws (found there)'],
			['active', 'stable', 'promoted to stable'],
		]);
		expect(await verifyBoard(ws)).toMatchObject({ok: true, warnings: []});
	});
});

describe('cross-device stages', () => {
	const root = process.getuid?.() === 0;
	it.runIf(root)('refuses a move onto another file system (a real tmpfs) and leaves everything as it was', async () => {
		const ws = await fresh();
		await makeProject(ws, 'active', 'big', {'data.bin': 'x'.repeat(10_000)}, {git: false});
		try {
			execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m,mode=0700', 'tmpfs', ws.paths.stageDir.stable]);
		} catch (error) {
			// Fail loudly rather than pass having checked nothing.
			throw new Error(`this test needs to mount a tmpfs as root (CAP_SYS_ADMIN): ${String(error)}`);
		}

		try {
			const error = await moveProject(ws, 'big', 'stable', {force: true}).catch((caught: unknown) => caught) as CwsError;
			expect(error.code).toBe('CROSS_DEVICE');
			expect(error.hint).toMatch(/one file system/);
			expect(await fs.readdir(ws.paths.stageDir.stable)).toEqual([]);
			expect(await whereIs(ws, 'big')).toEqual(['active']);
			expect(await fs.readFile(path.join(ws.paths.stageDir.active, 'big', 'data.bin'), 'utf8')).toHaveLength(10_000);
			expect((await ws.store.read(boardStateSpec)).data.pending).toBeNull();
			expect((await verifyBoard(ws)).errors).toEqual([]);
		} finally {
			execFileSync('umount', [ws.paths.stageDir.stable]);
		}
	});
});

describe('reconcileIntents', () => {
	it('rolls back an intent whose rename never happened', async () => {
		const ws = await fresh();
		await makeProject(ws, 'sandbox', 'p', {}, {git: false});
		const crash = new Error('crash');
		await expect(moveProject(ws, 'p', 'active', {hooks: {step(step) {
			if (step === 'intent-written') {
				throw crash;
			}
		}}})).rejects.toBe(crash);
		expect((await ws.store.read(boardStateSpec)).data.pending).toMatchObject({name: 'p', from: 'sandbox', to: 'active'});
		expect((await verifyBoard(ws)).errors).not.toEqual([]);
		const [report] = await reconcileIntents(ws);
		expect(report).toMatchObject({action: 'rolled-back'});
		expect(await whereIs(ws, 'p')).toEqual(['sandbox']);
		expect((await verifyBoard(ws)).errors).toEqual([]);
	});

	it('completes an intent whose rename happened, auditing a forced one', async () => {
		const ws = await fresh();
		await makeProject(ws, 'active', 'q', {}, {git: false});
		await expect(moveProject(ws, 'q', 'stable', {force: true, hooks: {step(step) {
			if (step === 'renamed') {
				throw new Error('crash');
			}
		}}})).rejects.toThrow('crash');
		expect(await whereIs(ws, 'q')).toEqual(['stable']);
		const [report] = await reconcileIntents(ws);
		expect(report).toMatchObject({action: 'completed'});
		const {data} = await ws.store.read(boardStateSpec);
		expect(data.projects['q']!.history.at(-1)).toMatchObject({from: 'active', to: 'stable', forced: true});
		expect(await readJsonl(ws.paths.audit)).toHaveLength(1);
		expect((await verifyBoard(ws)).errors).toEqual([]);
		expect(await reconcileIntents(ws)).toEqual([]);
	});
});
