import path from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import {afterEach, describe, expect, it} from 'vitest';
import type {ShellServices} from '../../source/commands/types.js';
import {enqueueJob} from '../../source/core/queue/enqueue.js';
import {badgeFor, queueFeedFor} from '../../source/ui/shared/queue-feed.js';
import {git, makeBareRemote, makeGitProject, makeWorkspace} from '../core/queue/helpers.js';
import {tempDirs} from '../helpers/tmp.js';

const dirs = tempDirs('queue-badge');
afterEach(async () => dirs.cleanupAll());

async function until(check: () => boolean, what: string): Promise<void> {
	const deadline = Date.now() + 10_000;
	while (!check()) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await sleep(20);
	}
}

describe('the board badge of a project without sync targets', () => {
	it('is absent (not "never synced"), while a project with a target still warns, and jobs always show', async () => {
		const ws = await makeWorkspace(await dirs.create());
		await makeGitProject(ws, 'toy', 'sandbox');
		await makeGitProject(ws, 'lib', 'stable');
		const web = await makeGitProject(ws, 'web', 'stable');
		await git(web, 'remote', 'add', 'origin', await makeBareRemote(path.join(ws.paths.root, 'web.git')));
		const feed = queueFeedFor(ws as unknown as ShellServices);
		const stop = feed.subscribe(() => undefined);
		try {
			await until(() => feed.getSnapshot().loadedAt > 0, 'the first read of the queue');
			const badges = () => ['toy', 'lib', 'web'].map(name => badgeFor(feed.getSnapshot(), name, Date.now())?.label);
			// Before the targets are known nothing is claimed, then only the project with a target warns.
			expect(badges()).toEqual([undefined, undefined, undefined]);
			await until(() => badges()[2] !== undefined, 'the targets of web');
			expect(badges()).toEqual([undefined, undefined, 'never synced']);

			// A job is a fact about the project whatever the policy says.
			await enqueueJob(ws, {project: 'toy', target: {name: 'noop', kind: 'custom', runner: 'noop', params: {}}});
			await feed.refresh();
			expect(badgeFor(feed.getSnapshot(), 'toy', Date.now())).toEqual({label: 'queued', tone: 'busy'});
		} finally {
			stop();
			feed.close();
		}
	});
});
