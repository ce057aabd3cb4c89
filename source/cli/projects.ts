import {
	BUSINESS_MODELS, GateError, addNote, archiveProject, assertModel, assertStage, checkGates, cleanupSandbox,
	demoteProject, emptyTrash, formatGate, listTrash, listingLines, moveProject, newProject, promoteProject,
	readProject, reconcileIntents, removeProject, restoreProject, scanBoard, summarizeBoard,
	type BoardWorkspace, type MoveResult,
} from '../core/board/index.js';
import {UsageError} from '../core/errors.js';
import {STAGES} from '../core/paths.js';
import type {CliCommand, CliContext} from './types.js';

const json = {type: 'boolean', description: 'print JSON instead of text'} as const;
const force = {type: 'boolean', description: 'move even if gates fail (recorded in history and the audit log)'} as const;
const reason = {type: 'string', description: 'why, kept in the project history', valueName: 'text'} as const;

/** The workspace, with any move interrupted by a crash finished or undone first. */
async function open(ctx: CliContext, create = false): Promise<BoardWorkspace> {
	const ws = await ctx.openWorkspace({create});
	for (const report of await reconcileIntents(ws)) {
		ctx.stderr(`cws: ${report.message}`);
	}

	return ws;
}

function print(ctx: CliContext, data: unknown): void {
	ctx.stdout(JSON.stringify(data, null, 2));
}

function moved(ctx: CliContext, result: MoveResult): number {
	if (ctx.json) {
		print(ctx, result);
		return 0;
	}

	for (const gate of result.gates) {
		ctx.stdout(`  ${formatGate(gate)}`);
	}

	ctx.stdout(`Moved ${result.name}: ${result.from} → ${result.to}${result.forced ? ' (forced past failed gates; recorded in the audit log)' : ''}`);
	return 0;
}

/** Runs a move and shows failed gates one per line (or as JSON) before failing. */
async function runMove(ctx: CliContext, action: () => Promise<MoveResult>): Promise<number> {
	try {
		return moved(ctx, await action());
	} catch (error) {
		if (!(error instanceof GateError)) {
			throw error;
		}

		if (ctx.json) {
			print(ctx, {ok: false, code: error.code, message: error.message, to: error.to, gates: error.results});
			return 1;
		}

		for (const gate of error.results) {
			ctx.stderr(`  ${formatGate(gate)}`);
		}

		throw error;
	}
}

function moveOptions(values: Record<string, unknown>) {
	return {
		force: values['force'] === true,
		requestedBy: 'cli',
		...(typeof values['reason'] === 'string' ? {reason: values['reason']} : {}),
	};
}

/** Project commands: new, list, move, promote, demote, gates, archive, restore, rm, note, trash, cleanup. */
export const projectCommands: CliCommand[] = [
	{
		name: 'new',
		summary: 'Create a project folder in a stage (default sandbox)',
		usage: 'cws new <name> [--stage S] [--model open-source|commercial|hybrid] [--git]',
		positionals: {min: 1, max: 1},
		options: {
			stage: {type: 'string', description: `stage to create it in: ${STAGES.join(', ')} (default sandbox)`, valueName: 'stage'},
			model: {type: 'string', description: `business model: ${BUSINESS_MODELS.join(', ')} (default open-source)`, valueName: 'model'},
			description: {type: 'string', description: 'one line about the project', valueName: 'text'},
			git: {type: 'boolean', description: 'git init (branch main) with an empty first commit'},
			json,
		},
		async run({positionals, values, ctx}) {
			const stage = values['stage'] ?? 'sandbox';
			const model = values['model'] ?? 'open-source';
			assertStage(stage);
			assertModel(model);
			const ws = await open(ctx, true);
			const result = await newProject(ws, positionals[0]!, {
				stage, model, git: values['git'] === true, requestedBy: 'cli',
				...(typeof values['description'] === 'string' ? {description: values['description']} : {}),
			});
			if (ctx.json) {
				print(ctx, result);
			} else {
				ctx.stdout(`Created ${result.name} in ${result.stage} (${model}): ${result.dir}`);
			}

			for (const warning of result.warnings) {
				ctx.stderr(`cws: ${warning}`);
			}

			return 0;
		},
	},
	{
		name: 'list',
		summary: 'Projects with stage, model, git state and last activity',
		usage: 'cws list [--stage S] [--json]',
		options: {stage: {type: 'string', description: 'only this stage', valueName: 'stage'}, json},
		async run({values, ctx}) {
			const ws = await open(ctx);
			const listing = await scanBoard(ws, {git: true});
			if (values['stage'] !== undefined) {
				assertStage(values['stage']);
				listing.cards = listing.cards.filter(card => card.stage === values['stage']);
			}

			if (ctx.json) {
				print(ctx, {...listing, summary: summarizeBoard(listing)});
			} else {
				for (const line of listingLines(listing, Date.now())) {
					ctx.stdout(line);
				}
			}

			return 0;
		},
	},
	{
		name: 'move',
		summary: 'Move a project to a stage (promotion checks gates)',
		usage: 'cws move <name> <stage> [--force] [--reason text] [--json]',
		positionals: {min: 2, max: 2},
		options: {force, reason, json},
		async run({positionals, values, ctx}) {
			const [name, stage] = positionals as [string, string];
			assertStage(stage);
			const ws = await open(ctx);
			return runMove(ctx, async () => moveProject(ws, name, stage, moveOptions(values)));
		},
	},
	{
		name: 'promote',
		summary: 'Move a project to the next stage, if its gates pass',
		usage: 'cws promote <name> [--force] [--reason text] [--json]',
		positionals: {min: 1, max: 1},
		options: {force, reason, json},
		async run({positionals, values, ctx}) {
			const ws = await open(ctx);
			return runMove(ctx, async () => promoteProject(ws, positionals[0]!, moveOptions(values)));
		},
	},
	{
		name: 'demote',
		summary: 'Move a project back to the previous stage (no gates)',
		usage: 'cws demote <name> [--reason text] [--json]',
		positionals: {min: 1, max: 1},
		options: {reason, json},
		async run({positionals, values, ctx}) {
			const ws = await open(ctx);
			return runMove(ctx, async () => demoteProject(ws, positionals[0]!, moveOptions(values)));
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

			const ws = await open(ctx);
			const report = await checkGates(ws, positionals[0]!, stage);
			if (ctx.json) {
				print(ctx, report);
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
	{
		name: 'archive',
		summary: 'Move a project to .cws/archive',
		usage: 'cws archive <name> [--reason text]',
		positionals: {min: 1, max: 1},
		options: {reason},
		async run({positionals, values, ctx}) {
			const ws = await open(ctx);
			const result = await archiveProject(ws, positionals[0]!, moveOptions(values));
			ctx.stdout(`Archived ${result.name} (from ${result.from}); \`cws restore ${result.name}\` brings it back.`);
			return 0;
		},
	},
	{
		name: 'restore',
		summary: 'Bring an archived project back to the stage it left',
		usage: 'cws restore <name> [--stage S]',
		positionals: {min: 1, max: 1},
		options: {stage: {type: 'string', description: 'restore into this stage instead', valueName: 'stage'}},
		async run({positionals, values, ctx}) {
			const stage = values['stage'];
			if (stage !== undefined) {
				assertStage(stage);
			}

			const ws = await open(ctx);
			const result = await restoreProject(ws, positionals[0]!, {requestedBy: 'cli', ...(stage === undefined ? {} : {stage})});
			ctx.stdout(`Restored ${result.name} to ${result.to}: ${result.dir}`);
			return 0;
		},
	},
	{
		name: 'rm',
		summary: 'Move a project to the trash (.cws/trash); nothing is deleted',
		usage: 'cws rm <name>',
		positionals: {min: 1, max: 1},
		options: {reason},
		async run({positionals, values, ctx}) {
			const ws = await open(ctx);
			const result = await removeProject(ws, positionals[0]!, moveOptions(values));
			ctx.stdout(result.folder
				? `Moved ${result.name} to the trash: ${result.folder} (deleted only by \`cws trash empty\`)`
				: `Moved the record of ${result.name} (its folder was already missing) to the trash.`);
			return 0;
		},
	},
	{
		name: 'note',
		summary: 'Read the notes of a project, or append one',
		usage: 'cws note <name> [text…] [--json]',
		positionals: {min: 1, max: 1000},
		options: {json},
		async run({positionals, ctx}) {
			const [name, ...words] = positionals as [string, ...string[]];
			const ws = await open(ctx);
			if (words.length > 0) {
				const note = await addNote(ws, name, words.join(' '));
				if (ctx.json) {
					print(ctx, note);
				} else {
					ctx.stdout(`Noted for ${name}.`);
				}

				return 0;
			}

			const {record} = await readProject(ws, name);
			if (ctx.json) {
				print(ctx, record.notes);
			} else if (record.notes.length === 0) {
				ctx.stdout(`No notes for ${name}. Add one: cws note ${name} "text"`);
			} else {
				for (const note of record.notes) {
					ctx.stdout(`${note.at}  ${note.text.replace(/\n/g, '\n                          ')}`);
				}
			}

			return 0;
		},
	},
	{
		name: 'trash',
		summary: 'What is in the trash',
		usage: 'cws trash [--json]',
		options: {json},
		async run({ctx}) {
			const ws = await open(ctx);
			const items = await listTrash(ws);
			if (ctx.json) {
				print(ctx, items);
			} else if (items.length === 0) {
				ctx.stdout('The trash is empty.');
			} else {
				for (const item of items) {
					ctx.stdout(`${item.at}  ${item.name}${item.folder ? `  ${item.folder}` : '  (record only)'}`);
				}
			}

			return 0;
		},
	},
	{
		name: 'trash empty',
		summary: 'Delete trash entries removed more than N days ago',
		usage: 'cws trash empty --older-than <days> [--dry-run] [--json]',
		options: {
			'older-than': {type: 'string', description: 'only entries removed at least this many days ago (0: all)', valueName: 'days'},
			'dry-run': {type: 'boolean', description: 'list what would be deleted, delete nothing'},
			json,
		},
		async run({values, ctx}) {
			const text = values['older-than'];
			if (typeof text !== 'string' || !/^\d+(\.\d+)?$/.test(text)) {
				throw new UsageError('cws trash empty: --older-than <days> is required (a number, 0 for everything).', 'Example: cws trash empty --older-than 30 --dry-run');
			}

			const ws = await open(ctx);
			const result = await emptyTrash(ws, {olderThanDays: Number(text), dryRun: values['dry-run'] === true});
			if (ctx.json) {
				print(ctx, result);
				return 0;
			}

			for (const item of result.removed) {
				ctx.stdout(`${result.dryRun ? 'would delete' : 'deleted'}  ${item.name}${item.folder ? `  ${item.folder}` : ''}`);
			}

			ctx.stdout(`${result.removed.length} ${result.dryRun ? 'would be deleted' : 'deleted'}, ${result.kept} kept.`);
			return 0;
		},
	},
	{
		name: 'cleanup',
		summary: 'Archive stale sandbox projects (--sandbox)',
		usage: 'cws cleanup --sandbox [--dry-run] [--json]',
		options: {
			sandbox: {type: 'boolean', description: 'archive sandbox projects with no change for the configured age (default 30 days)'},
			'dry-run': {type: 'boolean', description: 'list what would be done, change nothing'},
			json,
		},
		async run({values, ctx}) {
			if (values['sandbox'] !== true) {
				throw new UsageError('cws cleanup: say what to clean up: --sandbox.', 'Example: cws cleanup --sandbox --dry-run');
			}

			const ws = await open(ctx);
			const result = await cleanupSandbox(ws, {dryRun: values['dry-run'] === true, requestedBy: 'cli'});
			if (ctx.json) {
				// The bare result: `cleanup --processes --sandbox --json` nests it under "sandbox".
				print(ctx, result);
				return result.failed.length > 0 ? 1 : 0;
			}

			ctx.stdout(`Sandbox projects with no change for ${result.staleAfterDays} days: ${result.stale.length}`);
			for (const project of result.stale) {
				const done = result.dryRun ? 'would archive' : (result.archived.includes(project.name) ? 'archived' : 'kept');
				ctx.stdout(`  ${done}  ${project.name}  (idle ${project.idleDays} days, newest file ${project.newest})`);
			}

			for (const failure of result.failed) {
				ctx.stderr(`cws: could not archive ${failure.name}: ${failure.error}`);
			}

			return result.failed.length > 0 ? 1 : 0;
		},
	},
];
