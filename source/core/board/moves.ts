import fs from 'node:fs/promises';
import path from 'node:path';
import {atomicWriteFile} from '../atomic-write.js';
import {CwsError, errnoCode} from '../errors.js';
import {ensurePrivateDir} from '../file-ops.js';
import {STAGES, type Stage} from '../paths.js';
import {assertStage, assertSafeProject, locateProject, projectDir, readBoardConfig, type BoardWorkspace} from './context.js';
import {runGates, testLogPath, type GateResult} from './gates.js';
import {recordOf, type HistoryEntry, type Location} from './model.js';
import {assertProjectName} from './names.js';
import {WORKSPACE_LOCK, reconcileIntents, reconcileLocked} from './reconcile.js';
import {relocate, targetExists, type RelocateDeps} from './relocate.js';
import {execaRunner, type Runner} from './runner.js';
import {boardStateSpec} from './schema.js';

export type MoveOptions = RelocateDeps & {
	/** Move even though gates failed; recorded in history and the audit log. */
	force?: boolean;
	/** Why, in the user's words; stored in history. */
	reason?: string;
	/** Who asked ('cli', 'tui', …); stored in history. */
	requestedBy?: string;
	runner?: Runner;
	/** Overrides the configured test timeout. */
	testTimeoutMs?: number;
	/**
	 * Gate results already obtained for this very move (same project, from
	 * and to), e.g. from the GateError a confirmation dialog showed: reused
	 * instead of running the test suite a second time.
	 */
	gates?: GateReport;
};

/** What a move did. */
export type MoveResult = {
	name: string;
	from: Stage;
	to: Stage;
	forced: boolean;
	/** The gates that were checked (empty for demotions and moves to Active). */
	gates: GateResult[];
	entry: HistoryEntry;
	dir: string;
};

/** Refused because gates failed; carries every result so the caller can show them. */
export class GateError extends CwsError {
	readonly report: GateReport;
	readonly results: GateResult[];
	readonly to: Stage;
	constructor(report: GateReport) {
		const {name, to, results} = report;
		const failed = results.filter(result => !result.ok);
		super('GATES_FAILED', `"${name}" cannot move to ${to}: ${failed.map(result => `${result.title}: ${result.reason}`).join('; ')}.`, {
			hint: `Fix those and try again, or override with \`cws move ${name} ${to} --force\` (recorded in history and the audit log).`,
		});
		this.name = 'GateError';
		this.report = report;
		this.results = results;
		this.to = to;
	}
}

/** The gates a promotion to `to` checks for project `name` (from wherever it is now), with results. */
export type GateReport = {name: string; from: Stage; to: Stage; results: GateResult[]; ok: boolean};

/** Whether moving from `from` to `to` is a promotion (gated). */
export function isPromotion(from: Stage, to: Stage): boolean {
	return STAGES.indexOf(to) > STAGES.indexOf(from);
}

/** The stage after (or before) `stage`, or undefined at the ends. */
export function nextStage(stage: Stage, direction: 1 | -1): Stage | undefined {
	return STAGES[STAGES.indexOf(stage) + direction];
}

/**
 * Runs the gates of moving `name` to `to` (default: the next stage) and
 * keeps the test output in .cws/gates/<name>.test.log.
 */
export async function checkGates(ws: BoardWorkspace, name: string, to?: Stage, options: {runner?: Runner; testTimeoutMs?: number} = {}): Promise<GateReport> {
	assertProjectName(name);
	const from = await locateStage(ws, name);
	const target = to ?? nextStage(from, 1);
	if (target === undefined) {
		throw new CwsError('NO_NEXT_STAGE', `"${name}" is already in ${from}, the last stage.`, {hint: 'Nothing to promote it to.'});
	}

	assertStage(target);
	const dir = projectDir(ws.paths, from, name);
	const config = await readBoardConfig(ws.paths);
	const results = isPromotion(from, target)
		? await runGates(dir, target, {runner: options.runner ?? execaRunner, testTimeoutMs: options.testTimeoutMs ?? config.testTimeoutMs, ceiling: ws.paths.stageDir[from]})
		: [];
	await keepTestOutput(ws, name, results);
	return {name, from, to: target, results, ok: results.every(result => result.ok)};
}

/**
 * Moves project `name` to stage `to`. Gates run first (outside the lock:
 * a test suite may take minutes), then under the workspace lock the
 * project is located again, the target checked free, and the folder renamed
 * through the intent protocol. If another process moved the project while
 * the gates ran, this move is refused rather than applied to a project in a
 * place nobody checked.
 */
export async function moveProject(ws: BoardWorkspace, name: string, to: Stage, options: MoveOptions = {}): Promise<MoveResult> {
	assertProjectName(name);
	assertStage(to);
	await reconcileIntents(ws);
	const from = await locateStage(ws, name);
	if (from === to) {
		throw new CwsError('ALREADY_THERE', `"${name}" is already in ${to}.`, {hint: 'Nothing to do.'});
	}

	await options.hooks?.step?.('located');
	let gates: GateResult[] = [];
	if (isPromotion(from, to)) {
		const given = options.gates;
		const report = given && given.name === name && given.from === from && given.to === to ? given : await checkGates(ws, name, to, options);
		gates = report.results;
		if (!report.ok && !options.force) {
			throw new GateError(report);
		}
	}

	const failed = gates.filter(result => !result.ok);

	await options.hooks?.step?.('gated');
	const forced = failed.length > 0;
	return ws.store.withLock(WORKSPACE_LOCK, async () => {
		await options.hooks?.step?.('locked');
		await reconcileLocked(ws);
		const now = await locateStage(ws, name).catch((error: unknown) => {
			throw movedMeanwhile(name, from, to, error);
		});
		if (now !== from) {
			throw movedMeanwhile(name, from, to, now);
		}

		const fromDir = projectDir(ws.paths, from, name);
		const toDir = projectDir(ws.paths, to, name);
		await assertSafeProject(ws.paths, to, name);
		if (await pathExists(toDir)) {
			throw targetExists(name, toDir);
		}

		const direction = isPromotion(from, to) ? 'promoted' : 'demoted';
		const intent = await relocate(ws, {
			kind: 'move',
			name,
			from,
			to,
			fromDir,
			toDir,
			reason: options.reason ?? `${direction} to ${to}`,
			forced,
			...(forced ? {failedGates: failed.map(result => result.id)} : {}),
			...(options.requestedBy ? {by: options.requestedBy} : {}),
		}, options);
		const {data} = await ws.store.read(boardStateSpec);
		const entry = recordOf(data, name)?.history.at(-1);
		return {name, from, to, forced, gates, dir: toDir, entry: entry ?? {from, to, at: intent.at, reason: intent.reason, forced}};
	});
}

/** Moves `name` to the next stage (gated). */
export async function promoteProject(ws: BoardWorkspace, name: string, options: MoveOptions = {}): Promise<MoveResult> {
	const from = await locateStage(ws, name);
	const to = nextStage(from, 1);
	if (to === undefined) {
		throw new CwsError('NO_NEXT_STAGE', `"${name}" is already in ${from}, the last stage.`, {hint: 'Nothing to promote it to.'});
	}

	return moveProject(ws, name, to, options);
}

/** Moves `name` to the previous stage (no gates). */
export async function demoteProject(ws: BoardWorkspace, name: string, options: MoveOptions = {}): Promise<MoveResult> {
	const from = await locateStage(ws, name);
	const to = nextStage(from, -1);
	if (to === undefined) {
		throw new CwsError('NO_PREVIOUS_STAGE', `"${name}" is already in ${from}, the first stage.`, {hint: 'Archive it with `cws archive` or remove it with `cws rm`.'});
	}

	return moveProject(ws, name, to, options);
}

/** The stage project `name` is in; refuses archived, missing, duplicated or symlinked projects. */
export async function locateStage(ws: BoardWorkspace, name: string): Promise<Stage> {
	return await locateProject(ws.paths, name) as Stage;
}

async function keepTestOutput(ws: BoardWorkspace, name: string, results: GateResult[]): Promise<void> {
	const tests = results.find(result => result.id === 'tests');
	if (tests?.output !== undefined) {
		const file = testLogPath(ws.paths.meta, name);
		await ensurePrivateDir(path.dirname(file));
		await atomicWriteFile(file, tests.output, {mode: 0o600});
	}
}

function movedMeanwhile(name: string, from: Location, to: Stage, now: unknown): CwsError {
	const where = typeof now === 'string' ? `it is now in ${now}` : (now instanceof CwsError ? now.message : 'it is no longer there');
	return new CwsError('MOVED_MEANWHILE', `Cannot move "${name}" from ${from} to ${to}: another process moved it meanwhile (${where}).`, {
		hint: 'Run `cws list` to see where it is, then decide again. Nothing was changed by this command.',
	});
}

async function pathExists(target: string): Promise<boolean> {
	try {
		await fs.lstat(target);
		return true;
	} catch (error) {
		if (errnoCode(error) === 'ENOENT') {
			return false;
		}

		throw error;
	}
}
