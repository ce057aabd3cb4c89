/**
 * A worker SIGKILLed while it creates or rewrites a lease leaves the lease's
 * temp file behind (the torture run found them in .cws/queue/leases). Such a
 * leftover must be one the start-up sweep and `cws verify` know, so that it
 * is reported and removed once its writer is gone. The kill is real: a
 * preloaded hook SIGKILLs the child at the moment it renames a rewritten
 * lease into the leases folder. A claim creates its lease in place (O_EXCL),
 * so a worker killed right after that create leaves no temp file at all.
 */
import {mkdtemp, readFile, readdir, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterEach, describe, expect, it} from 'vitest';
import {workspacePaths} from '../../source/core/paths.js';
import {enqueueJob} from '../../source/core/queue/enqueue.js';
import {Store} from '../../source/core/store.js';
import {inspectMeta, sweepMeta} from '../../source/core/sweep.js';
import {initWorkspace} from '../../source/core/workspace.js';
import {spawnTs} from '../helpers/child.js';

const HOOK = fileURLToPath(new URL('fixtures/die-in-leases.cjs', import.meta.url));
const WRITTEN_HOOK = fileURLToPath(new URL('../core/queue/fixtures/die-after-rename.cjs', import.meta.url));
const dirs: string[] = [];
afterEach(async () => {
	await Promise.all(dirs.splice(0).map(async dir => rm(dir, {recursive: true, force: true})));
});

async function workspaceWithJob(): Promise<{root: string; meta: string; leases: string}> {
	const dir = await mkdtemp(path.join(os.tmpdir(), 'cws-lease-temp-'));
	dirs.push(dir);
	const root = path.join(dir, 'ws');
	await initWorkspace(root);
	const paths = workspacePaths(root);
	await enqueueJob({paths, store: new Store(paths.meta)}, {project: 'web', target: {name: 'origin', kind: 'git', remote: 'origin', autoCommit: false}, stage: 'active', maxAttempts: 3});
	return {root, meta: paths.meta, leases: path.join(paths.queue, 'leases')};
}

async function killedLeavingTemp(root: string, leases: string): Promise<string> {
	const child = await spawnTs('test/torture/fixtures/lease-child.ts', [root, 'record'], {
		env: {NODE_OPTIONS: `--require ${HOOK}`, CWS_DIE_AT: 'rename'},
	});
	const exit = await child.exited;
	expect(exit.signal, child.stderr()).toBe('SIGKILL');
	expect(child.lines).not.toContain('finished');
	const temps = (await readdir(leases)).filter(name => /tmp/.test(name));
	expect(temps).toHaveLength(1);
	return path.join(leases, temps[0]!);
}

describe('lease temp files left by a worker killed mid-write', () => {
	it('killed at the lease rewrite (rename): verify reports the temp file and the sweep removes it', async () => {
		const {root, meta, leases} = await workspaceWithJob();
		const temp = await killedLeavingTemp(root, leases);
		const findings = await inspectMeta(meta);
		expect(findings.find(finding => finding.path === temp)?.kind, JSON.stringify(findings)).toBe('orphan-temp');
		await sweepMeta(meta);
		expect((await readdir(leases)).filter(name => /tmp/.test(name))).toEqual([]);
	});

	it('killed right after the claim\'s lease is written: the lease is whole and there is no temp file to sweep', async () => {
		const {root, meta, leases} = await workspaceWithJob();
		const child = await spawnTs('test/torture/fixtures/lease-child.ts', [root, 'claim'], {
			env: {NODE_OPTIONS: `--require ${WRITTEN_HOOK}`, CWS_DIE_WRITTEN: String.raw`/queue/leases/[^/]+\.1$`},
		});
		const exit = await child.exited;
		expect(exit.signal, child.stderr()).toBe('SIGKILL');
		expect(child.lines).toEqual([]);
		const names = await readdir(leases);
		expect(names).toHaveLength(1);
		expect(JSON.parse(await readFile(path.join(leases, names[0]!), 'utf8'))).toMatchObject({pid: child.pid});
		expect((await inspectMeta(meta)).filter(finding => finding.path.startsWith(leases))).toEqual([]);
	});
});
