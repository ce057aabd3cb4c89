/**
 * A CLI worker: a loop of real `node dist/cli.js …` commands chosen at
 * random (moves, notes, syncs, whitelist edits, reads) and plain git commits
 * in the projects, each recorded in the ledger with what cws answered.
 */
import {existsSync} from 'node:fs';
import path from 'node:path';
import {STAGES, type Stage} from '../../source/core/paths.js';
import type {Fixture} from './fixture.js';
import {classify, type Ledger, type OpKind, type OpRecord} from './ledger.js';
import {runCli, runTool, sleep, type CliResult} from './procs.js';
import type {Rng} from './random.js';

/** What the workers share: where they believe projects are, and the rules they may remove. */
export type SharedModel = {
	stageOf: Map<string, Stage>;
	/** Acknowledged user rules not yet removed, and whether a remove is running for them. */
	rules: Map<string, {value: string; removing: boolean}>;
};

export function newModel(fixture: Fixture): SharedModel {
	return {stageOf: new Map(fixture.projects.map(project => [project.name, project.initial])), rules: new Map()};
}

const WEIGHTS: Record<OpKind, number> = {move: 30, note: 18, sync: 22, 'whitelist-add': 8, 'whitelist-remove': 5, commit: 10, read: 7};

/** Runs operations until `stop()` returns true. */
export async function workerLoop(id: number, fixture: Fixture, ledger: Ledger, model: SharedModel, rng: Rng, stop: () => boolean): Promise<void> {
	while (!stop()) {
		const kind = rng.weighted(WEIGHTS);
		const record = await runOperation(id, kind, fixture, ledger, model, rng);
		if (record) {
			ledger.add(record);
		}

		await sleep(rng.int(0, 300));
	}
}

async function runOperation(worker: number, kind: OpKind, fixture: Fixture, ledger: Ledger, model: SharedModel, rng: Rng): Promise<OpRecord | undefined> {
	const seq = ledger.nextSeq();
	const project = rng.pick(fixture.projects).name;
	switch (kind) {
		case 'move': {
			const believed = model.stageOf.get(project);
			const to = rng.pick(STAGES.filter(stage => rng.next() < 0.1 || stage !== believed));
			const force = rng.next() < 0.1 ? ['--force', '--reason', `torture ${seq}`] : [];
			const result = await cli(fixture, ledger, ['move', project, to, '--json', ...force]);
			return finish(result, {seq, worker, kind, project, to}, json => {
				if (json?.['to'] !== to || !Array.isArray(json['queued'])) {
					return undefined;
				}

				model.stageOf.set(project, to);
				const entry = json['entry'] as Record<string, unknown> | undefined;
				return {jobs: (json['queued'] as unknown[]).map(String), at: String(entry?.['at'])};
			});
		}

		case 'note': {
			const text = `note ${seq} from worker ${worker}: ${rng.pick(['tests green', 'refactor', 'ship it', 'révision ✓', 'line one\nline two'])}`;
			const result = await cli(fixture, ledger, ['note', project, text, '--json']);
			// The CLI keeps the text as typed apart from line endings and control characters.
			return finish(result, {seq, worker, kind, project, text}, json => (json?.['text'] === text ? {} : undefined));
		}

		case 'sync': {
			const target = rng.next() < 0.3 ? ['--target', rng.pick(['origin', 'backup'])] : [];
			const result = await cli(fixture, ledger, ['sync', project, ...target, '--json']);
			return finish(result, {seq, worker, kind, project}, json => {
				const jobs = Array.isArray(json?.['jobs']) ? (json['jobs'] as Array<Record<string, unknown>>).map(job => job['id']) : [];
				return jobs.length > 0 && jobs.every(job => typeof job === 'string') ? {jobs: jobs as string[]} : undefined;
			});
		}

		case 'whitelist-add': {
			const value = `torture-${seq}`;
			const how = rng.next() < 0.7 ? ['--name', value] : ['--cmdline', `^${value}( |$)`];
			const result = await cli(fixture, ledger, ['whitelist', 'add', ...how, '--reason', `torture ${seq}`, '--json']);
			return finish(result, {seq, worker, kind}, json => {
				const rule = json?.['rule'] as Record<string, unknown> | undefined;
				if (json?.['added'] !== true || typeof rule?.['id'] !== 'string') {
					return undefined;
				}

				model.rules.set(rule['id'], {value: String(rule['value']), removing: false});
				return {rule: {id: rule['id'], value: String(rule['value'])}};
			});
		}

		case 'whitelist-remove': {
			const candidates = [...model.rules].filter(([, rule]) => !rule.removing);
			if (candidates.length === 0) {
				return undefined;
			}

			const [id, rule] = rng.pick(candidates);
			rule.removing = true;
			const result = await cli(fixture, ledger, ['whitelist', 'remove', id, '--json']);
			const record = finish(result, {seq, worker, kind, rule: {id, value: rule.value}}, () => ({}));
			// Acknowledged: gone. Otherwise it may or may not be gone: never touched again.
			if (record.outcome === 'acknowledged') {
				model.rules.delete(id);
			}

			return record;
		}

		case 'commit':
			return commit(fixture, {seq, worker, kind, project});
		case 'read': {
			const args = rng.pick([['list', '--no-git', '--json'], ['queue', '--json'], ['status', '--json'], ['note', project, '--json']]);
			const result = await cli(fixture, ledger, args);
			return finish(result, {seq, worker, kind, project}, json => (json === undefined ? undefined : {}));
		}
	}
}

async function cli(fixture: Fixture, ledger: Ledger, args: string[]): Promise<CliResult> {
	const result = await runCli(fixture.root, args, fixture.env, {timeoutMs: 120_000});
	ledger.noteRecoveries(result.stderr);
	return result;
}

type Base = Pick<OpRecord, 'seq' | 'worker' | 'kind'> & Partial<OpRecord>;

/**
 * Turns a finished command into a record: acknowledged only if it exited 0
 * and `confirm` accepts its JSON (returning the fields to keep).
 */
function finish(result: CliResult, base: Base, confirm: (json: Record<string, unknown> | undefined) => Partial<OpRecord> | undefined): OpRecord {
	const record: OpRecord = {...base, args: result.args, startedAt: result.startedAt, endedAt: result.endedAt, outcome: 'failed'};
	if (result.code === 0 && !result.killed) {
		let json: Record<string, unknown> | undefined;
		try {
			json = JSON.parse(result.stdout) as Record<string, unknown>;
		} catch {}

		const kept = confirm(json);
		if (kept) {
			return {...record, ...kept, outcome: 'acknowledged'};
		}

		return {...record, outcome: 'failed', detail: `exit 0 without the expected answer: ${result.stdout.slice(0, 300)}`};
	}

	return {...record, ...classify(result)};
}

/** An empty commit (the tree stays clean, so gates still pass) in the project's current folder. */
async function commit(fixture: Fixture, base: Base & {project: string}): Promise<OpRecord> {
	const startedAt = Date.now();
	const spec = fixture.projects.find(project => project.name === base.project)!;
	const dir = STAGES.map(stage => path.join(fixture.root, stage, base.project)).find(candidate => existsSync(path.join(candidate, '.git')));
	const record: OpRecord = {...base, kind: 'commit', args: ['git', 'commit', '--allow-empty'], startedAt, endedAt: startedAt, outcome: 'failed'};
	if (spec.kind === 'plain' || !dir) {
		return {...record, outcome: 'refused', detail: 'no git repository'};
	}

	// A move may rename the folder meanwhile: then git fails, which is not cws's doing.
	const made = await runTool('git', ['-C', dir, 'commit', '-q', '--allow-empty', '-m', `work ${base.seq}`], {env: fixture.env, timeoutMs: 30_000});
	const head = made.code === 0 ? await runTool('git', ['-C', dir, 'rev-parse', 'HEAD'], {env: fixture.env}) : undefined;
	const endedAt = Date.now();
	return made.code === 0 && head?.code === 0
		? {...record, endedAt, outcome: 'acknowledged', commit: head.stdout.trim()}
		: {...record, endedAt, outcome: 'refused', detail: `git: ${made.stderr.trim().split('\n')[0] ?? made.code}`};
}
