/**
 * The remote side of the checks: a done push job's commit is in its bare
 * remote, and so is every acknowledged commit made before a later done push
 * of the same project started; a done backup job left the project's files
 * and repository in the backup folder, with every commit made before it ran.
 */
import {existsSync} from 'node:fs';
import path from 'node:path';
import type {Job} from '../../source/core/queue/types.js';
import {PROJECT_FILES, type Fixture} from './fixture.js';
import type {Ledger} from './ledger.js';
import {runTool} from './procs.js';

export async function checkRemotes(fixture: Fixture, ledger: Ledger, jobs: Job[], lost: string[]): Promise<{pushesChecked: number; commitsChecked: number; backupsChecked: number}> {
	const counts = {pushesChecked: 0, commitsChecked: 0, backupsChecked: 0};
	const acknowledged = new Set(ledger.ops.filter(op => op.outcome === 'acknowledged').flatMap(op => op.jobs ?? []));
	const done = jobs.filter(job => acknowledged.has(job.id) && job.state === 'done');
	const commits = ledger.acknowledged('commit');
	const git = async (args: string[]) => runTool('git', args, {env: fixture.env, timeoutMs: 30_000});

	for (const job of done.filter(job => job.target.kind === 'git')) {
		const remote = fixture.remoteOf(job.project);
		const head = job.result?.head;
		if (!head) {
			lost.push(`push job ${job.id} (${job.project}) is done but names no pushed commit: ${job.result?.message ?? 'no result'}`);
			continue;
		}

		counts.pushesChecked++;
		if ((await git(['--git-dir', remote, 'merge-base', '--is-ancestor', head, 'refs/heads/main'])).code !== 0) {
			lost.push(`push job ${job.id}: commit ${head.slice(0, 12)} of ${job.project} is not on main in its remote`);
		}
	}

	// A commit acknowledged before a done push started must have gone out with it (or before).
	for (const commit of commits) {
		const pushedAfter = done.some(job => job.project === commit.project && job.target.kind === 'git' && (job.startedAt ?? 0) > commit.endedAt);
		if (!pushedAfter) continue;
		counts.commitsChecked++;
		if ((await git(['--git-dir', fixture.remoteOf(commit.project!), 'merge-base', '--is-ancestor', commit.commit!, 'refs/heads/main'])).code !== 0) {
			lost.push(`commit ${commit.commit!.slice(0, 12)} of ${commit.project} (#${commit.seq}) was made before a done push started, but is not in the remote`);
		}
	}

	for (const job of done.filter(job => job.target.kind === 'rsync')) {
		const dest = (job.target as {dest: string}).dest;
		const spec = fixture.projects.find(project => project.name === job.project)!;
		counts.backupsChecked++;
		const expected = spec.kind === 'plain' ? ['README.md'] : [...PROJECT_FILES[spec.kind], '.git'];
		const missing = expected.filter(file => !existsSync(path.join(dest, file)));
		if (missing.length > 0) {
			lost.push(`backup job ${job.id} is done, but ${dest} lacks ${missing.join(', ')}`);
			continue;
		}

		if (spec.kind === 'plain') continue;
		for (const commit of commits.filter(commit => commit.project === job.project && commit.endedAt < (job.startedAt ?? 0))) {
			if ((await git(['--git-dir', path.join(dest, '.git'), 'cat-file', '-e', `${commit.commit!}^{commit}`])).code !== 0) {
				lost.push(`backup ${dest} lacks commit ${commit.commit!.slice(0, 12)} (#${commit.seq}), made before backup job ${job.id} started`);
			}
		}
	}

	return counts;
}
