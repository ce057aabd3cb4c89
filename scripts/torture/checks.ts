/**
 * The end of a run: every acknowledged operation must be reflected in the
 * workspace, its queue, the remotes and the backups. A finding in `lost`
 * names something acknowledged that is gone or wrong; `problems` are other
 * defects (verify not clean, leftovers, crashes).
 */
import {existsSync} from 'node:fs';
import {lstat, readdir} from 'node:fs/promises';
import path from 'node:path';
import type {ProjectRecord} from '../../source/core/board/model.js';
import {boardStateSpec} from '../../source/core/board/schema.js';
import {STAGES, workspacePaths, type Stage} from '../../source/core/paths.js';
import {listJobs} from '../../source/core/queue/jobs.js';
import type {Job} from '../../source/core/queue/types.js';
import {Store} from '../../source/core/store.js';
import {checkRemotes} from './check-remotes.js';
import type {Fixture} from './fixture.js';
import type {Ledger} from './ledger.js';
import {runCli} from './procs.js';

export type CheckResult = {
	lost: string[];
	problems: string[];
	verify: {ok: boolean; issues: unknown[]};
	/** Jobs that need a person (dead, conflict), grouped by their last error. */
	jobs: {acknowledged: number; byState: Record<string, number>; total: number; attention: Record<string, number>};
	moves: {acknowledged: number; atLastAcknowledged: number; settledByUnacknowledged: number};
	remotes: {pushesChecked: number; commitsChecked: number; backupsChecked: number};
};

/** Runs every end-of-run check. */
export async function runChecks(fixture: Fixture, ledger: Ledger): Promise<CheckResult> {
	const lost: string[] = [];
	const problems: string[] = [];
	const verify = await verifyClean(fixture, problems);
	const paths = workspacePaths(fixture.root);
	const store = new Store(paths.meta);
	const state = (await store.read(boardStateSpec)).data;
	const moves = await checkProjects(fixture, ledger, state.projects, lost, problems);
	checkNotes(ledger, state.projects, lost, problems);
	await checkRules(fixture, ledger, lost, problems);
	const listing = await listJobs({paths, store});
	const jobs = checkJobs(ledger, listing.jobs, lost, problems);
	if (listing.unreadable.length > 0) {
		problems.push(`unreadable job files: ${listing.unreadable.map(job => `${job.file} (${job.error})`).join('; ')}`);
	}

	const remotes = await checkRemotes(fixture, ledger, listing.jobs, lost);
	await checkLeftovers(fixture, problems);
	return {lost, problems, verify, jobs, moves, remotes};
}

async function verifyClean(fixture: Fixture, problems: string[]): Promise<CheckResult['verify']> {
	const result = await runCli(fixture.root, ['verify', '--json'], fixture.env);
	try {
		const report = JSON.parse(result.stdout) as {ok: boolean; issues: unknown[]};
		if (!report.ok || result.code !== 0) {
			problems.push(`cws verify is not clean (exit ${result.code}): ${JSON.stringify(report.issues)}`);
		}

		return {ok: report.ok && result.code === 0, issues: report.issues};
	} catch {
		problems.push(`cws verify --json printed no report (exit ${result.code}): ${result.stderr.trim()}`);
		return {ok: false, issues: []};
	}
}

/**
 * Each project exists exactly once, in a stage its moves allow: the last
 * rename to happen came after the start of every acknowledged move, so the
 * project is where the latest-starting acknowledged move put it, unless a
 * move that was still running then (acknowledged or not, never a refused
 * one) put it elsewhere afterwards.
 */
async function checkProjects(fixture: Fixture, ledger: Ledger, records: Record<string, ProjectRecord>, lost: string[], problems: string[]): Promise<CheckResult['moves']> {
	const counts = {acknowledged: 0, atLastAcknowledged: 0, settledByUnacknowledged: 0};
	const known = new Set(fixture.projects.map(project => project.name));
	for (const stage of STAGES) {
		for (const entry of await readdir(path.join(fixture.root, stage))) {
			if (!known.has(entry)) {
				problems.push(`unexpected entry ${stage}/${entry} in a stage folder`);
			}
		}
	}

	for (const project of fixture.projects) {
		const places = STAGES.filter(stage => existsSync(path.join(fixture.root, stage, project.name)));
		const elsewhere = ['archive', 'trash'].filter(dir => existsSync(path.join(fixture.root, '.cws', dir, project.name)));
		if (places.length !== 1 || elsewhere.length > 0) {
			lost.push(`project ${project.name} is in ${places.length === 0 ? 'no stage' : places.join(' and ')}${elsewhere.length > 0 ? ` and in .cws/${elsewhere.join(', ')}` : ''} (must be in exactly one stage)`);
			continue;
		}

		const actual = places[0]!;
		const attempts = ledger.ops.filter(op => op.kind === 'move' && op.project === project.name && op.outcome !== 'refused');
		const acked = attempts.filter(op => op.outcome === 'acknowledged');
		counts.acknowledged += acked.length;
		const lastStart = Math.max(...acked.map(op => op.startedAt));
		const allowed = new Set<Stage>(acked.length === 0 ? [project.initial] : []);
		for (const op of attempts) {
			if (acked.length === 0 || op.endedAt >= lastStart) allowed.add(op.to!);
		}

		const last = acked.filter(op => op.startedAt === lastStart).at(-1);
		if (!allowed.has(actual)) {
			lost.push(`project ${project.name} is in ${actual}; its acknowledged moves allow only ${[...allowed].join(' or ')} (last acknowledged: #${last?.seq} → ${last?.to ?? project.initial})`);
		} else if (actual === (last?.to ?? project.initial)) {
			counts.atLastAcknowledged++;
		} else {
			counts.settledByUnacknowledged++;
		}

		const record = records[project.name];
		if (!record) {
			lost.push(`project ${project.name} has no record in state.json`);
			continue;
		}

		if (record.history.at(-1)?.to !== actual) {
			problems.push(`project ${project.name}: its history ends in ${record.history.at(-1)?.to}, its folder is in ${actual}`);
		}

		for (const op of acked) {
			if (!record.history.some(entry => entry.at === op.at && entry.to === op.to)) {
				lost.push(`project ${project.name}: acknowledged move #${op.seq} to ${op.to} at ${op.at} is missing from its history`);
			}
		}
	}

	return counts;
}

/** Every acknowledged note is there, once; no note is there twice. */
function checkNotes(ledger: Ledger, records: Record<string, ProjectRecord>, lost: string[], problems: string[]): void {
	for (const op of ledger.ops.filter(op => op.kind === 'note')) {
		const found = (records[op.project!]?.notes ?? []).filter(note => note.text === op.text).length;
		if (op.outcome === 'acknowledged' && found === 0) {
			lost.push(`note #${op.seq} on ${op.project} (acknowledged) is missing`);
		}

		if (found > 1) {
			problems.push(`note #${op.seq} on ${op.project} is recorded ${found} times`);
		}
	}
}

/** Acknowledged rules are there unless an acknowledged remove took them out; removed ones are gone. */
async function checkRules(fixture: Fixture, ledger: Ledger, lost: string[], problems: string[]): Promise<void> {
	const result = await runCli(fixture.root, ['whitelist', '--json'], fixture.env);
	let rules: Array<{id: string; value: string}>;
	try {
		rules = (JSON.parse(result.stdout) as {rules: Array<{id: string; value: string}>}).rules;
	} catch {
		problems.push(`cws whitelist --json failed (exit ${result.code}): ${result.stderr.trim()}`);
		return;
	}

	const removes = ledger.ops.filter(op => op.kind === 'whitelist-remove');
	const removed = new Set(removes.filter(op => op.outcome === 'acknowledged').map(op => op.rule!.id));
	// A remove killed (or failed) mid-flight may or may not have happened.
	const uncertain = new Set(removes.filter(op => op.outcome !== 'acknowledged' && op.outcome !== 'refused').map(op => op.rule!.id));
	for (const op of ledger.acknowledged('whitelist-add')) {
		const present = rules.filter(rule => rule.id === op.rule!.id).length;
		if (!removed.has(op.rule!.id) && (uncertain.has(op.rule!.id) ? present > 1 : present !== 1)) {
			lost.push(`whitelist rule ${op.rule!.id} (${op.rule!.value}, acknowledged by #${op.seq}) is ${present === 0 ? 'missing' : `there ${present} times`}`);
		}

		if (removed.has(op.rule!.id) && present > 0) {
			lost.push(`whitelist rule ${op.rule!.id} (${op.rule!.value}) is back after an acknowledged remove`);
		}
	}

	const values = new Map<string, number>();
	for (const rule of rules) values.set(rule.value, (values.get(rule.value) ?? 0) + 1);
	for (const [value, count] of values) {
		if (count > 1) problems.push(`whitelist has ${count} rules for ${value}`);
	}
}

/** Every acknowledged job still exists and is done, dead, in conflict, cancelled or waiting: none vanished, none stuck running. */
function checkJobs(ledger: Ledger, jobs: Job[], lost: string[], problems: string[]): CheckResult['jobs'] {
	const byId = new Map(jobs.map(job => [job.id, job]));
	const acknowledged = new Set(ledger.ops.filter(op => op.outcome === 'acknowledged').flatMap(op => op.jobs ?? []));
	const byState: Record<string, number> = {};
	for (const id of acknowledged) {
		const job = byId.get(id);
		if (!job) {
			lost.push(`job ${id} (acknowledged by #${ledger.ops.find(op => op.jobs?.includes(id))?.seq}) vanished from the queue`);
			continue;
		}

		byState[job.state] = (byState[job.state] ?? 0) + 1;
	}

	for (const job of jobs.filter(job => job.state === 'running')) {
		problems.push(`job ${job.id} (${job.project} → ${job.target.name}) is still running with no worker left`);
	}

	const attention: Record<string, number> = {};
	for (const job of jobs.filter(job => job.state === 'dead' || job.state === 'conflict')) {
		const key = `${job.state} ${job.project} → ${job.target.name}: ${job.lastError?.code ?? ''} ${job.lastError?.message ?? ''}`.slice(0, 240);
		attention[key] = (attention[key] ?? 0) + 1;
	}

	return {acknowledged: acknowledged.size, byState, total: jobs.length, attention};
}

/** No staged temp file, lock folder or lease temp anywhere under .cws, and no git lock in a project. */
async function checkLeftovers(fixture: Fixture, problems: string[]): Promise<void> {
	const meta = path.join(fixture.root, '.cws');
	for (const entry of await readdir(path.join(meta, 'locks'))) {
		problems.push(`lock left behind: .cws/locks/${entry}`);
	}

	for (const file of await walk(meta)) {
		const name = path.basename(file);
		if (/\.cws-tmp-|\.tmp-\d|\.tmp$|\.lock$/i.test(name)) {
			problems.push(`temp or lock file left behind: ${path.relative(fixture.root, file)}`);
		}
	}

	for (const project of fixture.projects) {
		for (const stage of STAGES) {
			if (existsSync(path.join(fixture.root, stage, project.name, '.git', 'index.lock'))) {
				problems.push(`git lock left behind in ${stage}/${project.name}/.git/index.lock`);
			}
		}
	}
}

async function walk(dir: string): Promise<string[]> {
	const out: string[] = [];
	for (const entry of await readdir(dir, {withFileTypes: true})) {
		const full = path.join(dir, entry.name);
		out.push(full);
		if (entry.isDirectory() && !(await lstat(full)).isSymbolicLink()) {
			out.push(...await walk(full));
		}
	}

	return out;
}
