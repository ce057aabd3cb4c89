import {spawnSync} from 'node:child_process';
import {link, lstat, mkdir, readdir, rename, utimes, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {atomicWriteFile} from '../../source/core/atomic-write.js';
import {OWNER_FILE} from '../../source/core/lock-fs.js';
import {Store} from '../../source/core/store.js';
import {inspectMeta, sweepMeta} from '../../source/core/sweep.js';
import {tempDirs} from '../helpers/tmp.js';
import {counterSpec} from '../fixtures/store-specs.js';

const temps = tempDirs('sweep');
afterAll(async () => temps.cleanupAll());

/** The pid of a process that has exited (and been reaped). */
function deadPid(): number {
	return spawnSync(process.execPath, ['-e', '0']).pid!;
}

async function fakeLock(locksDir: string, name: string, pid: number, ageMs = 0): Promise<string> {
	const dir = path.join(locksDir, `${name}.lock`);
	await mkdir(dir, {recursive: true});
	await writeFile(path.join(dir, OWNER_FILE), JSON.stringify({pid, host: os.hostname(), since: new Date().toISOString(), token: 'abc123'}));
	if (ageMs > 0) {
		const then = new Date(Date.now() - ageMs);
		await utimes(dir, then, then);
	}

	return dir;
}

describe('start-up sweep', () => {
	it('finds and removes what dead processes left, and nothing that is alive or in use', async () => {
		const meta = path.join(await temps.create(), '.cws');
		const locks = path.join(meta, 'locks');
		await mkdir(path.join(meta, 'queue'), {recursive: true});
		await mkdir(path.join(meta, 'archive', 'proj'), {recursive: true});
		const dead = deadPid();
		const parent = process.ppid;
		const files = {
			deadTemp: path.join(meta, `.state.json.cws-tmp-${dead}-0a1b2c`),
			deadInnerTemp: path.join(meta, 'queue', `.j1.json.cws-tmp-${dead}-0a1b2d.123456`),
			liveYoungTemp: path.join(meta, `.state.json.cws-tmp-${parent}-0a1b2e`),
			ownStrayTemp: path.join(meta, `.state.json.cws-tmp-${process.pid}-0a1b30`),
			archivedLookalike: path.join(meta, 'archive', 'proj', `.x.cws-tmp-${dead}-0a1b31`),
			unrelated: path.join(meta, 'state.json.notes'),
		};
		for (const file of Object.values(files)) {
			await writeFile(file, 'x');
		}

		const deadLock = await fakeLock(locks, 'workspace', dead);
		const staleLock = await fakeLock(locks, 'config.json', parent, 60_000);
		const liveLock = await fakeLock(locks, 'queue%2Fj1.json', parent);
		const halfMade = path.join(locks, `state.json.lock.new-${dead}-0a0a0a`);
		await mkdir(halfMade);

		const findings = await inspectMeta(meta);
		const found = new Map(findings.map(finding => [finding.path, finding.kind]));
		expect(found).toEqual(new Map([
			[files.deadTemp, 'orphan-temp'],
			[files.deadInnerTemp, 'orphan-temp'],
			[files.ownStrayTemp, 'orphan-temp'],
			[halfMade, 'orphan-temp'],
			[deadLock, 'dead-holder-lock'],
			[staleLock, 'stale-lock'],
		]));
		expect(findings.find(finding => finding.path === deadLock)?.detail).toContain(`process ${dead}`);
		// Inspecting changed nothing.
		expect(await inspectMeta(meta)).toHaveLength(6);

		const report = await sweepMeta(meta);
		expect(report.failed).toEqual([]);
		expect(new Set(report.removed.map(item => item.path))).toEqual(new Set(found.keys()));
		expect((await readdir(meta)).sort()).toEqual(['.state.json.cws-tmp-' + parent + '-0a1b2e', 'archive', 'locks', 'queue', 'state.json.notes'].sort());
		expect(await readdir(locks)).toEqual([path.basename(liveLock)]);
		expect(await readdir(path.join(meta, 'archive', 'proj'))).toHaveLength(1);
		expect(await inspectMeta(meta)).toEqual([]);
	});

	it('leaves the temp files and the lock of a write in progress in this process alone', async () => {
		const meta = path.join(await temps.create(), '.cws');
		const store = new Store(meta);
		let findings: unknown[] = ['not run'];
		await store.update(counterSpec, async current => {
			findings = await inspectMeta(meta);
			return {n: current.n + 1};
		});
		expect(findings).toEqual([]);
		expect((await store.read(counterSpec)).data.n).toBe(1);
	});

	it('leaves a staged file alone while its write is in progress in this process', async () => {
		const meta = path.join(await temps.create(), '.cws');
		await mkdir(meta);
		let during: string[] = [];
		let findings: unknown[] = ['not run'];
		await atomicWriteFile(path.join(meta, 'x.json'), 'data', {
			async beforePublish() {
				during = await readdir(meta);
				findings = await inspectMeta(meta);
			},
		});
		expect(during.some(name => name.startsWith('.x.json.cws-tmp-'))).toBe(true);
		expect(findings).toEqual([]);
	});

	it('ages a staged file of a live process from its newest mtime or ctime: a name just linked or renamed to an old file is in use, not an orphan', async () => {
		const meta = path.join(await temps.create(), '.cws');
		await mkdir(path.join(meta, 'backups', 'state.json'), {recursive: true});
		const parent = process.ppid;
		const old = new Date(Date.now() - 600_000);
		// The second name of a state file untouched for ten minutes while it is replaced.
		const state = path.join(meta, 'state.json');
		const kept = path.join(meta, `.state.json.cws-tmp-${parent}-0a1b40`);
		await writeFile(state, 'x');
		await utimes(state, old, old);
		await link(state, kept);
		// A ten-minute-old backup renamed aside by the prune.
		const backup = path.join(meta, 'backups', 'state.json', '7.json');
		const aside = path.join(meta, 'backups', 'state.json', `.7.json.cws-tmp-${parent}-0a1b41`);
		await writeFile(backup, 'x');
		await utimes(backup, old, old);
		await rename(backup, aside);
		for (const file of [kept, aside]) {
			expect((await lstat(file)).mtimeMs).toBeLessThan(Date.now() - 500_000);
		}

		expect(await inspectMeta(meta)).toEqual([]);
		expect(await sweepMeta(meta)).toEqual({removed: [], failed: []});

		// Once the name itself is over a minute old, the pid may have been reused: an orphan.
		const later = {now: () => Date.now() + 61_000};
		expect(new Map((await inspectMeta(meta, later)).map(finding => [finding.path, finding.kind]))).toEqual(new Map([
			[kept, 'orphan-temp'],
			[aside, 'orphan-temp'],
		]));
		expect((await sweepMeta(meta, later)).removed).toHaveLength(2);
		expect((await readdir(meta)).sort()).toEqual(['backups', 'state.json']);
	});

	it('a missing .cws is nothing to sweep', async () => {
		const meta = path.join(await temps.create(), '.cws');
		expect(await sweepMeta(meta)).toEqual({removed: [], failed: []});
	});
});
