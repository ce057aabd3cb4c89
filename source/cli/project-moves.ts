import {
	GateError, assertStage, checkGates, demoteProject, formatGate, moveProject, promoteProject, reconcileIntents,
	type BoardWorkspace, type MoveResult,
} from '../core/board/index.js';
import {isCwsError} from '../core/errors.js';
import {enqueueForStage} from '../core/queue/index.js';
import type {CliCommand, CliContext} from './types.js';

export const json = {type: 'boolean', description: 'print JSON instead of text'} as const;
export const reason = {type: 'string', description: 'why, kept in the project history', valueName: 'text'} as const;
const force = {type: 'boolean', description: 'move even if gates fail (recorded in history and the audit log)'} as const;

/** The workspace, with any move interrupted by a crash finished or undone first. */
export async function openBoard(ctx: CliContext, create = false): Promise<BoardWorkspace> {
	const ws = await ctx.openWorkspace({create});
	for (const report of await reconcileIntents(ws)) {
		ctx.stderr(`cws: ${report.message}`);
	}

	return ws;
}

export function printJson(ctx: CliContext, data: unknown): void {
	ctx.stdout(JSON.stringify(data, null, 2));
}

/** Options every board change takes from the command line: --force, --reason, and who asked. */
export function moveOptions(values: Record<string, unknown>) {
	return {
		force: values['force'] === true,
		requestedBy: 'cli',
		...(typeof values['reason'] === 'string' ? {reason: values['reason']} : {}),
	};
}

/**
 * After a move, the sync jobs of the new stage go into the queue (the
 * workers pick them up). A queue problem is reported; the move stands.
 */
async function queueSyncs(ctx: CliContext, ws: BoardWorkspace, result: MoveResult): Promise<string[]> {
	try {
		const jobs = await enqueueForStage(ws, result.name, result.to);
		return jobs.filter(job => job.created).map(job => job.job.id);
	} catch (error) {
		ctx.stderr(`cws: ${result.name} moved, but its sync jobs were not queued: ${isCwsError(error) ? error.message : String(error)}`);
		return [];
	}
}

/** Runs a move, queues the new stage's syncs, and shows failed gates one per line (or as JSON) before failing. */
async function runMove(ctx: CliContext, ws: BoardWorkspace, action: () => Promise<MoveResult>): Promise<number> {
	let result: MoveResult;
	try {
		result = await action();
	} catch (error) {
		if (!(error instanceof GateError)) {
			throw error;
		}

		if (ctx.json) {
			printJson(ctx, {ok: false, code: error.code, message: error.message, to: error.to, gates: error.results});
			return 1;
		}

		for (const gate of error.results) {
			ctx.stderr(`  ${formatGate(gate)}`);
		}

		throw error;
	}

	const queued = await queueSyncs(ctx, ws, result);
	if (ctx.json) {
		printJson(ctx, {...result, queued});
		return 0;
	}

	for (const gate of result.gates) {
		ctx.stdout(`  ${formatGate(gate)}`);
	}

	ctx.stdout(`Moved ${result.name}: ${result.from} → ${result.to}${result.forced ? ' (forced past failed gates; recorded in the audit log)' : ''}`);
	if (queued.length > 0) {
		ctx.stdout(`Queued ${queued.length} sync job${queued.length === 1 ? '' : 's'}: ${queued.join(', ')}`);
	}

	return 0;
}

/** Stage moves: move, promote, demote, and the gates a promotion checks. */
export const moveCommands: CliCommand[] = [
	{
		name: 'move',
		summary: 'Move a project to a stage (promotion checks gates)',
		usage: 'cws move <name> <stage> [--force] [--reason text] [--json]',
		positionals: {min: 2, max: 2},
		options: {force, reason, json},
		async run({positionals, values, ctx}) {
			const [name, stage] = positionals as [string, string];
			assertStage(stage);
			const ws = await openBoard(ctx);
			return runMove(ctx, ws, async () => moveProject(ws, name, stage, moveOptions(values)));
		},
	},
	{
		name: 'promote',
		summary: 'Move a project to the next stage, if its gates pass',
		usage: 'cws promote <name> [--force] [--reason text] [--json]',
		positionals: {min: 1, max: 1},
		options: {force, reason, json},
		async run({positionals, values, ctx}) {
			const ws = await openBoard(ctx);
			return runMove(ctx, ws, async () => promoteProject(ws, positionals[0]!, moveOptions(values)));
		},
	},
	{
		name: 'demote',
		summary: 'Move a project back to the previous stage (no gates)',
		usage: 'cws demote <name> [--reason text] [--json]',
		positionals: {min: 1, max: 1},
		options: {reason, json},
		async run({positionals, values, ctx}) {
			const ws = await openBoard(ctx);
			return runMove(ctx, ws, async () => demoteProject(ws, positionals[0]!, moveOptions(values)));
		},
	},
	{
		name: 'gates',
		summary: 'What promoting would check, with results (exit 1 if one fails)',
		usage: 'cws gates <name> [--stage S] [--json]',
		positionals: {min: 1, max: 1},
		options: {stage: {type: 'string', description: 'target stage (default: the next one)', valueName: 'stage'}, json},
		async run({positionals, values, ctx}) {
			const stage = values['stage'];
			if (stage !== undefined) {
				assertStage(stage);
			}

			const ws = await openBoard(ctx);
			const report = await checkGates(ws, positionals[0]!, stage);
			if (ctx.json) {
				printJson(ctx, report);
			} else {
				ctx.stdout(`${report.name}: ${report.from} → ${report.to}`);
				if (report.results.length === 0) {
					ctx.stdout(`  no gates: moving to ${report.to} ${report.to === 'active' ? 'is always allowed' : 'is a demotion'}`);
				}

				for (const gate of report.results) {
					ctx.stdout(`  ${formatGate(gate)}`);
				}
			}

			return report.ok ? 0 : 1;
		},
	},
];
