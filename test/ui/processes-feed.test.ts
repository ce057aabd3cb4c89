import {spawn, type ChildProcess} from 'node:child_process';
import {mkdir, mkdtemp, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {ProcessControl} from '../../source/core/processes/index.js';
import {workspacePaths} from '../../source/core/paths.js';
import {Store} from '../../source/core/store.js';
import {projectCwdProbe} from '../../source/core/processes/index.js';
import {createProcessFeed} from '../../source/ui/shared/process-feed.js';

const children: ChildProcess[] = [];
const dirs: string[] = [];

afterEach(async () => {
	for (const child of children.splice(0)) child.kill('SIGKILL');
	await Promise.all(dirs.splice(0).map(async dir => rm(dir, {recursive: true, force: true})));
});

async function workspace() {
	const root = await mkdtemp(path.join(os.tmpdir(), 'cws-feed-'));
	dirs.push(root);
	const paths = workspacePaths(root);
	await mkdir(paths.meta, {recursive: true, mode: 0o700});
	const project = path.join(root, 'active', 'web');
	await mkdir(project, {recursive: true});
	return {paths, store: new Store(paths.meta), project};
}

const waitFor = async (check: () => boolean, ms = 5000) => {
	const end = Date.now() + ms;
	while (!check()) {
		if (Date.now() > end) throw new Error('condition not met');
		await new Promise(resolve => setTimeout(resolve, 20));
	}
};

describe('process feed', () => {
	it('lists workspace processes with per-project counts and keeps identity while nothing changes', async () => {
		const ws = await workspace();
		const child = spawn('sleep', ['30'], {cwd: ws.project, stdio: 'ignore'});
		children.push(child);
		const feed = createProcessFeed(ProcessControl.forWorkspace(ws), 50);
		let calls = 0;
		const stop = feed.subscribe(() => calls++);
		await waitFor(() => feed.getSnapshot().entries.some(entry => entry.pid === child.pid));
		const first = feed.getSnapshot();
		expect(first.status).toBe('ready');
		expect(first.projectCounts.get('active/web')).toBe(1);
		expect(first.entries.find(entry => entry.pid === child.pid)?.project).toBe('active/web');
		const counts = feed.getProjectCounts();
		await feed.refresh();
		expect(feed.getProjectCounts()).toBe(counts);
		stop();
		const afterStop = calls;
		await new Promise(resolve => setTimeout(resolve, 200));
		expect(calls).toBe(afterStop);
	});

	it('reads at the fast pace while in front, the slow one behind, and at once on coming back to the front', async () => {
		const ws = await workspace();
		const control = ProcessControl.forWorkspace(ws);
		const snapshot = control.snapshot.bind(control);
		let reads = 0;
		control.snapshot = async scope => {
			reads++;
			return snapshot(scope);
		};

		const feed = createProcessFeed(control, 300, 5000);
		const stop = feed.subscribe(() => {});
		await waitFor(() => feed.getSnapshot().status === 'ready');
		const sleep = async (ms: number) => new Promise(resolve => setTimeout(resolve, ms));
		await sleep(1000);
		expect(reads).toBeGreaterThanOrEqual(3);
		feed.setForeground(false);
		await sleep(400);
		const behind = reads;
		await sleep(1500);
		expect(reads).toBe(behind);
		feed.setForeground(true);
		await waitFor(() => reads > behind, 250);
		stop();
	});

	it('behind, a changed listing with the same per-project counts wakes nobody until the pane is in front again', async () => {
		const ws = await workspace();
		const child = spawn('sleep', ['30'], {cwd: ws.project, stdio: 'ignore'});
		children.push(child);
		const control = ProcessControl.forWorkspace(ws);
		const snapshot = control.snapshot.bind(control);
		let reads = 0;
		// Every read differs in what the pane would draw (a CPU share), as on a busy machine.
		control.snapshot = async scope => {
			reads++;
			const listing = await snapshot(scope);
			return {...listing, entries: listing.entries.map(entry => ({...entry, cpuPercent: reads}))};
		};

		const feed = createProcessFeed(control, 60_000, 60_000);
		let calls = 0;
		const stop = feed.subscribe(() => calls++);
		await waitFor(() => feed.getSnapshot().entries.some(entry => entry.pid === child.pid));
		feed.setForeground(false);
		const before = calls;
		await feed.refresh();
		await feed.refresh();
		expect(calls).toBe(before);
		expect(feed.getSnapshot().entries[0]?.cpuPercent).toBe(reads);
		expect(feed.getProjectCounts().get('active/web')).toBe(1);
		feed.setForeground(true);
		expect(calls).toBe(before + 1);
		await feed.refresh();
		expect(calls).toBe(before + 2);
		stop();
	});

	it.runIf(process.platform === 'linux')('behind, takes no listing while the processes working in projects stay the same, and counts one that starts or ends there within an interval', async () => {
		const ws = await workspace();
		const control = ProcessControl.forWorkspace(ws);
		const snapshot = control.snapshot.bind(control);
		let reads = 0;
		control.snapshot = async scope => {
			reads++;
			return snapshot(scope);
		};

		const feed = createProcessFeed(control, 60_000, 200, projectCwdProbe(ws.paths.root));
		const stop = feed.subscribe(() => {});
		await waitFor(() => feed.getSnapshot().status === 'ready');
		feed.setForeground(false);
		const sleep = async (ms: number) => new Promise(resolve => setTimeout(resolve, ms));
		await sleep(300);
		const idle = reads;
		// Five background intervals, nothing started or ended in a project: no listing.
		await sleep(1000);
		expect(reads).toBe(idle);
		// A process started elsewhere is not one of the projects' either.
		const outside = spawn('sleep', ['30'], {cwd: os.tmpdir(), stdio: 'ignore'});
		children.push(outside);
		await sleep(600);
		expect(reads).toBe(idle);
		const child = spawn('sleep', ['30'], {cwd: ws.project, stdio: 'ignore'});
		children.push(child);
		await waitFor(() => feed.getProjectCounts().get('active/web') === 1, 2000);
		expect(reads).toBeGreaterThan(idle);
		child.kill('SIGKILL');
		await waitFor(() => feed.getProjectCounts().get('active/web') === undefined, 2000);
		stop();
	});

	it('switches scope between the workspace and all of mine', async () => {
		const ws = await workspace();
		const feed = createProcessFeed(ProcessControl.forWorkspace(ws), 1000);
		const stop = feed.subscribe(() => {});
		await feed.refresh();
		expect(feed.getSnapshot().entries.some(entry => entry.pid === process.pid)).toBe(false);
		feed.setScope('mine');
		await feed.refresh();
		expect(feed.getSnapshot().scope).toBe('mine');
		expect(feed.getSnapshot().entries.some(entry => entry.pid === process.pid)).toBe(true);
		// Kernel threads are nobody's work, even for root.
		expect(feed.getSnapshot().entries.filter(entry => entry.pid === 2 || entry.ppid === 2)).toEqual([]);
		stop();
	});
});
