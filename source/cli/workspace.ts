import {lstat} from 'node:fs/promises';
import path from 'node:path';
import {CwsError, UsageError, errnoCode} from '../core/errors.js';
import {STAGES} from '../core/paths.js';
import {Store} from '../core/store.js';
import {fsError} from '../core/workspace-entries.js';
import {initWorkspace, requireWorkspace} from '../core/workspace.js';
import type {CliCommand} from './types.js';
import {formatVerifyReport} from './verify-report.js';

const json = {type: 'boolean', description: 'print JSON instead of text'} as const;

/** `cws init`, `cws status`, `cws verify`: the workspace itself. */
export const workspaceCommands: CliCommand[] = [
	{
		name: 'init',
		summary: 'Create the workspace layout (safe to run again)',
		usage: 'cws init [dir]',
		positionals: {min: 0, max: 1},
		async run({positionals, values, ctx}) {
			const [dir] = positionals;
			const flag = values['workspace'] as string | undefined;
			if (dir !== undefined && flag !== undefined && path.resolve(dir) !== path.resolve(flag)) {
				throw new UsageError(`cws init: got both [dir] '${dir}' and --workspace '${flag}'; give one.`, '');
			}

			const {created, paths, changed} = await initWorkspace(dir === undefined ? ctx.root : path.resolve(dir));
			if (created) {
				ctx.stdout(`Created a new workspace at ${paths.root}`);
			} else if (changed.length > 0) {
				ctx.stdout(`Completed the workspace at ${paths.root}:`);
				for (const entry of changed) {
					ctx.stdout(`  ${path.relative(paths.root, entry) || '.'}`);
				}
			} else {
				ctx.stdout(`The workspace at ${paths.root} is complete; nothing to do.`);
			}

			return 0;
		},
	},
	{
		name: 'status',
		summary: 'Workspace summary: projects per stage and what needs attention',
		usage: 'cws status [--json]',
		options: {json},
		async run({ctx}) {
			const paths = await requireWorkspace(ctx.root);
			for (const stage of STAGES) {
				await requireStageFolder(paths.stageDir[stage], paths.root);
			}

			// The same numbers the board shows: projects per stage, stale, archived, missing, trash, problems.
			const {scanBoard, summarizeBoard} = await import('../core/board/index.js');
			const summary = summarizeBoard(await scanBoard({paths, store: new Store(paths.meta)}));
			if (ctx.json) {
				ctx.stdout(JSON.stringify({root: paths.root, ...summary}, null, 2));
				return 0;
			}

			ctx.stdout(`Workspace ${paths.root}`);
			for (const stage of STAGES) {
				ctx.stdout(`  ${(stage[0]!.toUpperCase() + stage.slice(1)).padEnd(9)}${summary.stages[stage]}`);
			}

			const extra = [
				summary.stale > 0 ? `${summary.stale} stale in Sandbox (\`cws cleanup --sandbox --dry-run\`)` : '',
				summary.archived > 0 ? `${summary.archived} archived` : '',
				summary.trash > 0 ? `${summary.trash} in the trash` : '',
				summary.missing.length > 0 ? `missing folders: ${summary.missing.join(', ')}` : '',
				summary.pending ? 'an interrupted move (finished or undone by the next change)' : '',
				summary.problems > 0 ? `${summary.problems} problem${summary.problems === 1 ? '' : 's'} (\`cws list\` names them)` : '',
			].filter(Boolean);
			for (const line of extra) {
				ctx.stdout(`  ${line}`);
			}

			return 0;
		},
	},
	{
		name: 'verify',
		summary: 'Check layout, modes and state files (--repair fixes what it can)',
		usage: 'cws verify [--repair] [--json]',
		options: {
			repair: {type: 'boolean', description: 'fix what is safe: restore backups, remove leftovers, fix folders'},
			json,
		},
		async run({values, ctx}) {
			const {verifyWorkspace} = await import('../core/verify.js');
			const report = await verifyWorkspace(ctx.root, {repair: values['repair'] === true});
			ctx.stdout(ctx.json ? JSON.stringify(report, null, 2) : formatVerifyReport(report));
			return report.ok ? 0 : 1;
		},
	},
];

/** A stage folder must be there: a missing one is reported with the repair, not taken as empty. */
async function requireStageFolder(dir: string, root: string): Promise<void> {
	try {
		await lstat(dir);
	} catch (error) {
		if (errnoCode(error) === 'ENOENT') {
			throw new CwsError('LAYOUT_BROKEN', `The stage folder ${dir} is missing.`, {
				hint: 'Run `cws verify --repair` to recreate it.',
			});
		}

		throw fsError(dir, error, root);
	}
}
