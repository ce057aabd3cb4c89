/**
 * Attack: hostile bytes in every state and config file (state.json,
 * config.json, whitelist.json, a queue job, the session and audit logs):
 * random bytes, 100k levels of nesting, a 10 MB string, wrong types, a valid
 * envelope with a wrong sha256. `cws verify`, a listing and a writing
 * command answer with a clear message or a repair, never a crash (no stack
 * trace, exit 0 or 1), and never a silent reset: the hostile bytes are
 * either still in place or kept byte for byte in .cws/quarantine, and the
 * user was told. The full-screen interface starts on a damaged state file
 * too. Cases come from a seeded PRNG (SEED) so a failure can be replayed.
 */
import {createHash} from 'node:crypto';
import {readdir, readFile, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {startCws, useCwsCleanup} from '../helpers/pty.js';
import {tempDirs} from '../helpers/tmp.js';
import {cws, expectNoCrash, prng, STACK_FRAME} from './helpers.js';

useCwsCleanup();
const SEED = 0x5EED_CA5E;
const dirs = tempDirs('attack-state');
afterAll(async () => dirs.cleanupAll());

type Hostile = {kind: string; bytes: Buffer};

function hostileContents(random: () => number): Hostile[] {
	const randomBytes = Buffer.alloc(4096);
	for (let index = 0; index < randomBytes.length; index++) randomBytes[index] = Math.floor(random() * 256);
	const payload = {projects: {app: {model: 42, history: 'nope', notes: [null]}}, pending: [], trash: {}};
	const body = JSON.stringify(payload);
	const badSha = JSON.stringify({format: 'cws-state', version: 1, generation: 7, sha256: createHash('sha256').update('something else').digest('hex'), payload});
	return [
		{kind: 'random bytes', bytes: randomBytes},
		{kind: '100k levels of [', bytes: Buffer.from('['.repeat(100_000))},
		{kind: '10 MB string', bytes: Buffer.from(`{"format":"cws-state","payload":"${'x'.repeat(10 * 1024 * 1024)}"}`)},
		{kind: 'wrong types', bytes: Buffer.from(body)},
		{kind: 'envelope with a bad sha256', bytes: Buffer.from(badSha)},
	];
}

/** Whether `bytes` are still in `file` or kept in quarantine. */
async function kept(root: string, file: string, bytes: Buffer): Promise<boolean> {
	const now = await readFile(file).catch(() => undefined);
	if (now?.equals(bytes)) return true;
	const quarantine = path.join(root, '.cws', 'quarantine');
	for (const name of await readdir(quarantine, {recursive: true})) {
		const copy = await readFile(path.join(quarantine, name)).catch(() => undefined);
		if (copy?.equals(bytes)) return true;
	}

	return false;
}

async function setup() {
	const base = await dirs.create();
	const home = path.join(base, 'home');
	const root = path.join(base, 'ws');
	await import('node:fs/promises').then(async fs => fs.mkdir(home));
	expect((await cws(home, root, ['new', 'app', '--stage', 'active'])).code).toBe(0);
	expect((await cws(home, root, ['note', 'app', 'kept'])).code).toBe(0);
	await writeFile(path.join(root, '.cws', 'config.json'), JSON.stringify({sync: {stages: {active: {targets: [{name: 'bk', kind: 'rsync', dest: path.join(base, 'bk', '{project}')}]}}}}), {mode: 0o600});
	const synced = await cws(home, root, ['sync', 'app', '--json']);
	const job = (JSON.parse(synced.stdout) as {jobs: Array<{id: string}>}).jobs[0]!.id;
	expect((await cws(home, root, ['whitelist', 'add', '--name', 'vim'])).code).toBe(0);
	return {home, root, job};
}

describe(`hostile state files (seed ${SEED.toString(16)})`, () => {
	const targets = ['state.json', 'config.json', 'whitelist.json', 'queue job', 'sessions.jsonl', 'audit.log'];
	for (const target of targets) {
		it(`${target}: verify, a listing and a write answer clearly, never crash, never reset silently`, async () => {
			const random = prng(SEED ^ target.length);
			const {home, root, job} = await setup();
			const file = path.join(root, '.cws', target === 'queue job' ? `queue/${job}.json` : target);
			const commands = [['verify'], target === 'queue job' ? ['queue'] : target === 'whitelist.json' ? ['whitelist'] : ['list'], ['note', 'app', 'more']];
			for (const hostile of hostileContents(random)) {
				await writeFile(file, hostile.bytes, {mode: 0o600});
				for (const args of commands) {
					const result = await cws(home, root, args, {}, 40_000);
					const what = `${target} with ${hostile.kind}: cws ${args.join(' ')}`;
					expectNoCrash(result, what);
					expect(result.stdout.length + result.stderr.length, `${what} printed ${result.stdout.length} bytes`).toBeLessThan(200_000);
				}

				expect(await kept(root, file, hostile.bytes), `${target} with ${hostile.kind}: the bytes were neither left in place nor quarantined`).toBe(true);
				if (!target.endsWith('.jsonl') && !target.endsWith('.log')) {
					const verify = await cws(home, root, ['verify', '--repair']);
					expectNoCrash(verify, `${target} with ${hostile.kind}: verify --repair`);
					expect(`${verify.stdout}${verify.stderr}`, `${target} with ${hostile.kind}: verify names the file`).toContain(path.basename(file));
				}
			}
		}, 90_000);
	}

	it('the interface starts on a state file of random bytes: it says so, and does not crash', async () => {
		const {root} = await setup();
		const random = prng(SEED);
		await writeFile(path.join(root, '.cws', 'state.json'), hostileContents(random)[0]!.bytes, {mode: 0o600});
		const t = await startCws({workspace: root});
		await t.waitForText('Stage board', {timeout: 20_000});
		await t.waitForText(/state\.json|restored|quarantine/, {timeout: 20_000});
		expect(t.exited()).toBeUndefined();
		// cexit may ask before leaving: a final sync of the project's unsynced
		// work, and stopping a backup's rsync if the interface started one. Each
		// question's second answer leaves without waiting (leave now / leave them running).
		t.press(':');
		for (const ch of 'cexit') t.press(ch);
		t.key('enter');
		for (let question = 0; question < 4 && t.exited() === undefined; question++) {
			const asking = (screen: string[]) => screen.some(line => line.includes('↑↓ choose'));
			await t.waitFor(screen => t.exited() !== undefined || asking(screen), {timeout: 20_000, message: 'cexit ends or asks'});
			if (t.exited() !== undefined) break;
			const question = t.screen().find(line => /\?\s*║?$/.test(line)) ?? '';
			t.key('down');
			t.key('enter');
			await t.waitFor(screen => t.exited() !== undefined || !screen.includes(question), {timeout: 20_000, message: 'the answer is taken'});
		}

		const exit = await t.waitForExit({timeout: 20_000});
		expect(exit.exitCode).toBe(0);
		expect(t.output()).not.toMatch(STACK_FRAME);
	}, 60_000);
});
