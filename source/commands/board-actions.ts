import {
	BUSINESS_MODELS, GateError, MODEL_LEADS, PROJECT_NAME_RULE, addNote, archiveProject, checkGates, demoteProject,
	isValidProjectName, moveProject, newProject, promoteProject, readProject, removeProject,
	type BoardWorkspace, type BusinessModel, type GateReport, type MoveResult,
} from '../core/board/index.js';
import {isCwsError} from '../core/errors.js';
import {enqueueForStage} from '../core/queue/index.js';
import {boardFeedFor} from '../ui/shared/board-feed.js';
import type {BoardAction, SelectedProject} from './board.js';
import {detailLines, problemLines} from './board-details.js';
import {escapeControl, plural} from './board-text.js';
import type {ConfirmIntent, Intent, IntentList, PromptIntent, ShellServices} from './types.js';

const workspace = (services: ShellServices): BoardWorkspace => ({paths: services.paths, store: services.store});

const toast = (level: 'info' | 'success' | 'warning' | 'error', text: string): Intent => ({type: 'toast', level, text});

function select(name: string, stage?: SelectedProject['stage']): Intent {
	const action: BoardAction = {type: 'select', name, ...(stage ? {stage} : {})};
	return {type: 'pane', pane: 'board', action};
}

/** Re-lists the board now, so what a command changed is on screen when its toast is. */
async function refreshed(services: ShellServices): Promise<void> {
	await boardFeedFor(services).refresh();
}

/**
 * Promotes (1) or demotes (-1) project `name`. Gates run first (a test
 * suite can take a while: the shell shows its spinner). A refused promotion
 * becomes a confirm dialog that lists every failed gate; only a yes there
 * moves the project, forced, reusing the gate results just shown.
 */
export async function moveSelected(services: ShellServices, name: string, direction: 1 | -1): Promise<IntentList> {
	const ws = workspace(services);
	try {
		const result = direction === 1 ? await promoteProject(ws, name, {requestedBy: 'tui'}) : await demoteProject(ws, name, {requestedBy: 'tui'});
		return await afterMove(services, result);
	} catch (error) {
		if (error instanceof GateError) return confirmForced(services, error.report);
		throw error;
	}
}

/** The question after a refused promotion: each failed gate with its reason. */
export function confirmForced(services: ShellServices, report: GateReport): ConfirmIntent {
	const failed = report.results.filter(result => !result.ok);
	const passed = report.results.filter(result => result.ok);
	return {
		type: 'confirm',
		title: `${report.name} cannot move to ${report.to}: ${plural(failed.length, 'gate')} failed`,
		body: [
			...failed.map(result => `✗ ${result.title}: ${escapeControl(result.reason)}`),
			...(passed.length > 0 ? [`✓ passed: ${passed.map(result => result.title).join(', ')}`] : []),
			' ',
			`Move ${report.name} from ${report.from} to ${report.to} anyway? The move is recorded as forced in its history and the audit log.`,
		],
		confirmLabel: 'move it anyway',
		onConfirm: async () => {
			const result = await moveProject(workspace(services), report.name, report.to, {
				force: true,
				gates: report,
				requestedBy: 'tui',
				reason: `promoted to ${report.to} past failed gates: ${failed.map(gate => gate.id).join(', ')}`,
			});
			return afterMove(services, result);
		},
	};
}

/**
 * After a move: the queue gets the new stage's sync jobs (a queue problem
 * is reported, it does not undo the move), the board re-lists, and the
 * selection follows the project to its new column.
 */
async function afterMove(services: ShellServices, result: MoveResult): Promise<Intent[]> {
	services.session.touch(result.name);
	const intents: Intent[] = [];
	let queued = '';
	try {
		const jobs = await enqueueForStage(workspace(services), result.name, result.to);
		const created = jobs.filter(job => job.created).length;
		if (created > 0) queued = `; ${plural(created, 'sync job')} queued`;
	} catch (error) {
		intents.push(toast('warning', `${result.name} moved, but its sync was not queued: ${isCwsError(error) ? error.message : String(error)}`));
	}

	await refreshed(services);
	const forced = result.forced ? ` (forced past ${plural(result.gates.filter(gate => !gate.ok).length, 'failed gate')})` : '';
	return [toast(result.forced ? 'warning' : 'success', `Moved ${result.name}: ${result.from} → ${result.to}${forced}${queued}`), ...intents, select(result.name, result.to)];
}

/** The name prompt of a new project. */
export function askName(services: ShellServices, initial = ''): PromptIntent {
	return {
		type: 'prompt',
		title: 'New project in Sandbox: its name',
		initial,
		help: `The folder name: ${PROJECT_NAME_RULE}.`,
		onSubmit(text) {
			const name = text.trim();
			if (name === '') return;
			if (!isValidProjectName(name)) return [toast('error', `"${escapeControl(name)}" is not a project name: ${PROJECT_NAME_RULE}.`), askName(services, name)];
			return askModel(services, name);
		},
	};
}

/** "open-source", "o", "Commercial" → the model; undefined for anything else. */
export function parseModel(text: string): BusinessModel | undefined {
	const wanted = text.trim().toLowerCase();
	if (wanted === '') return undefined;
	return BUSINESS_MODELS.find(model => model === wanted || model.startsWith(wanted));
}

function askModel(services: ShellServices, name: string, initial = 'open-source'): PromptIntent {
	const leads = BUSINESS_MODELS.map((model, index) => `${model}: ${index === 0 ? 'Stable → ' : ''}${MODEL_LEADS[model].stable}, ${index === 0 ? 'Public → ' : ''}${MODEL_LEADS[model].public}`);
	return {
		type: 'prompt',
		title: `Business model of ${name}`,
		initial,
		help: `${leads.join(' · ')}. The first letter is enough.`,
		async onSubmit(text) {
			const model = parseModel(text);
			if (!model) return [toast('error', `Unknown business model "${escapeControl(text.trim())}": choose ${BUSINESS_MODELS.join(', ')}.`), askModel(services, name, text)];
			const result = await newProject(workspace(services), name, {model, requestedBy: 'tui'});
			services.session.touch(name);
			await refreshed(services);
			return [toast('success', `Created ${name} in Sandbox (${model}): ${result.dir}`), ...result.warnings.map(warning => toast('warning', warning)), select(name, 'sandbox')];
		},
	};
}

/** The filter prompt: part of a name; empty shows every project. */
export function filterPrompt(): PromptIntent {
	return {
		type: 'prompt',
		title: 'Filter the board by project name',
		help: 'Projects whose name contains this are shown. Empty shows every project.',
		onSubmit(text) {
			const action: BoardAction = {type: 'filter', text};
			return {type: 'pane', pane: 'board', action};
		},
	};
}

/** Asks for a note and appends it to project `name`. */
export function noteSelected(services: ShellServices, name: string): PromptIntent {
	return {
		type: 'prompt',
		title: `Note for ${name}`,
		help: 'One line, kept with the project (Enter shows its notes).',
		async onSubmit(text) {
			if (text.trim() === '') return toast('info', 'Empty note: nothing saved.');
			await addNote(workspace(services), name, text);
			services.session.touch(name);
			await refreshed(services);
			return toast('success', `Noted for ${name}.`);
		},
	};
}

/** Asks, then moves project `name` to the archive. */
export function archiveSelected(services: ShellServices, name: string): ConfirmIntent {
	return {
		type: 'confirm',
		title: `Archive ${name}?`,
		body: [`Its folder moves to .cws/archive; \`cws restore ${name}\` brings it back to the stage it left.`],
		confirmLabel: 'archive',
		async onConfirm() {
			const result = await archiveProject(workspace(services), name, {requestedBy: 'tui'});
			services.session.touch(name);
			await refreshed(services);
			return toast('success', `Archived ${name} (from ${result.from}); \`cws restore ${name}\` brings it back.`);
		},
	};
}

/** Asks, then moves project `name` (or its record, when the folder is missing) to the trash. */
export function removeSelected(services: ShellServices, project: SelectedProject): ConfirmIntent {
	const {name} = project;
	return {
		type: 'confirm',
		title: project.missing ? `Move the record of ${name} to the trash?` : `Move ${name} to the trash?`,
		body: [
			project.missing ? 'Its folder is already gone; the record (history, notes) goes to the trash list.' : `Its folder moves to .cws/trash with its record.`,
			'Nothing is deleted: only `cws trash empty` deletes, and only what you name by age.',
		],
		confirmLabel: 'move to the trash',
		async onConfirm() {
			const result = await removeProject(workspace(services), name, {requestedBy: 'tui'});
			services.session.touch(name);
			await refreshed(services);
			return toast('success', result.folder ? `Moved ${name} to the trash: ${result.folder}` : `Moved the record of ${name} to the trash.`);
		},
	};
}

/**
 * Everything about one project: where it is, git, sync, history, notes,
 * and the gates of its next promotion, run now (tests included, so this
 * can take a moment: the spinner shows).
 */
export async function showDetails(services: ShellServices, project: SelectedProject): Promise<Intent> {
	const ws = workspace(services);
	const info = await readProject(ws, project.name);
	const snapshot = boardFeedFor(services).getSnapshot();
	const card = snapshot.listing.cards.find(item => item.name === project.name && item.stage === info.location);
	let gates: GateReport | string | undefined;
	if (info.location !== null && info.location !== 'archive' && info.location !== 'public') {
		try {
			gates = await checkGates(ws, project.name);
		} catch (error) {
			gates = isCwsError(error) ? error.message : String(error);
		}
	}

	return {type: 'show', title: `${project.name} · ${info.location ?? 'missing'}`, lines: detailLines({info, card, gates, now: Date.now(), paths: services.paths})};
}

/** The workspace's problems, missing projects and interrupted moves, in a dialog. */
export async function showProblems(services: ShellServices): Promise<Intent> {
	const feed = boardFeedFor(services);
	await feed.refresh();
	const {listing, error} = feed.getSnapshot();
	return {type: 'show', title: 'Workspace problems', lines: problemLines(listing, error)};
}
