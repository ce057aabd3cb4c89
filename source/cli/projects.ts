import {
	BUSINESS_MODELS, addNote, archiveProject, assertModel, assertStage, cleanupSandbox, emptyTrash, listTrash,
	listingLines, newProject, readProject, removeProject, restoreProject, summarizeBoard, withDetails, BoardScanner,
} from '../core/board/index.js';
import {UsageError} from '../core/errors.js';
import {STAGES} from '../core/paths.js';
import {json, moveCommands, moveOptions, openBoard as open, printJson as print, reason} from './project-moves.js';
import type {CliCommand} from './types.js';

/**
 * Above this many projects `cws list` leaves git out unless --git asks for
 * it: one `git status` per project would keep it busy for minutes.
 */
export const LIST_GIT_LIMIT = 500;

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
		usage: 'cws list [--stage S] [--git | --no-git] [--json]',
		options: {
			stage: {type: 'string', description: 'only this stage', valueName: 'stage'},
			git: {type: 'boolean', description: `read git state even for more than ${LIST_GIT_LIMIT} projects`},
			'no-git': {type: 'boolean', description: 'leave git state out (faster)'},
			json,
		},
		async run({values, ctx}) {
			if (values['git'] === true && values['no-git'] === true) {
				throw new UsageError('cws list: --git and --no-git contradict each other; give one.', '');
			}

			const stage = values['stage'];
			if (stage !== undefined) {
				assertStage(stage);
			}

			const ws = await open(ctx);
			const scanner = new BoardScanner(ws);
			const listing = await scanner.list();
			let cards = stage === undefined ? listing.cards : listing.cards.filter(card => card.stage === stage);
			const git = values['git'] === true || (values['no-git'] !== true && cards.length <= LIST_GIT_LIMIT);
			if (!git && values['no-git'] !== true) {
				ctx.stderr(`cws: git state left out for ${cards.length} projects (more than ${LIST_GIT_LIMIT}); --git reads it, one git status per project.`);
			}

			const activity = await scanner.activity(cards);
			const states = git ? await scanner.git(cards) : undefined;
			cards = withDetails(cards, {activity, git: states, staleDays: scanner.boardConfig.sandboxStaleDays, now: Date.now()});
			const shown = {...listing, cards};
			if (ctx.json) {
				print(ctx, {...shown, summary: summarizeBoard(shown)});
			} else {
				for (const line of listingLines(shown, Date.now())) {
					ctx.stdout(line);
				}
			}

			return 0;
		},
	},
	...moveCommands,
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
