import {formatBytes, formatRunTime, type ProcessEntry} from '../core/processes/index.js';
import type {ProcessesAction} from '../ui/panes/processes/state.js';
import {printable} from '../ui/panes/processes/text.js';
import {processFeedFor} from '../ui/shared/process-feed.js';
import {noSelectionReason, selectedEntry, stopSelected, toggleProtection} from './processes-actions.js';
import {cleanupWorkspace} from './processes-cleanup.js';
import type {Command, CommandContext, Intent} from './types.js';

const GROUP = 'Processes';

const pane = (action: ProcessesAction): Intent => ({type: 'pane', pane: 'processes', action});

/** Why a command that needs a listing cannot run yet. */
const loadingReason = (ctx: CommandContext): string | undefined =>
	processFeedFor(ctx.services).getSnapshot().status === 'loading' ? 'the process list is still loading' : undefined;

/** Why a cursor move has nowhere to go. */
const emptyReason = (ctx: CommandContext): string | undefined =>
	loadingReason(ctx) ?? ((ctx.panes.processes?.count ?? 0) === 0 ? 'no processes listed' : undefined);

const move = (id: string, title: string, keys: string[], action: ProcessesAction, hint?: string): Command => ({
	id: `processes.${id}`,
	title,
	group: GROUP,
	scope: 'processes',
	keys,
	...(hint ? {hint} : {}),
	disabledReason: emptyReason,
	run: () => pane(action),
});

/** Long text cut into dialog-wide lines (the details dialog does not wrap). */
function chunks(label: string, text: string, width = 74): string[] {
	const lines: string[] = [];
	const indent = ' '.repeat(label.length);
	for (let start = 0; start === 0 || start < text.length; start += width - label.length) {
		lines.push(`${start === 0 ? label : indent}${text.slice(start, start + width - label.length)}`);
	}

	return lines;
}

/** Everything known about one process, for the details dialog. */
export function processDetails(entry: ProcessEntry, now = Date.now()): string[] {
	return [
		`Name:       ${printable(entry.name)}`,
		`PID:        ${entry.pid} · parent ${entry.ppid} · group ${entry.pgid}${entry.groupSize > 1 ? ` (leads ${entry.groupSize} processes)` : ''}`,
		`User:       ${printable(entry.user)} (uid ${entry.uid})`,
		`State:      ${entry.state} · CPU ${entry.cpuPercent.toFixed(1)}% · RSS ${formatBytes(entry.rssBytes)}`,
		`Started:    ${new Date(entry.startedAt).toISOString()} (up ${formatRunTime(entry.startedAt, now)})`,
		`Project:    ${entry.project ?? (entry.inWorkspace ? '(workspace root)' : 'outside the workspace')}`,
		...chunks('Directory:  ', printable(entry.cwd ?? '(unreadable)')),
		...chunks('Executable: ', `${printable(entry.exe ?? '(unreadable)')}${entry.exeDeleted ? ' (deleted since it started)' : ''}`),
		...chunks('Command:    ', printable(entry.command)),
		'',
		...(entry.protection.protected
			? ['Protected, so it cannot be stopped:', ...entry.protection.reasons.flatMap(reason => chunks('  ', printable(reason.text)))]
			: ['Not protected: it can be stopped.']),
	];
}

/** Commands of the processes pane (scope 'processes'). */
export const processCommands: Command[] = [
	move('down', 'Select the next process', ['j', 'down'], {type: 'move', delta: 1}, 'move'),
	move('up', 'Select the previous process', ['k', 'up'], {type: 'move', delta: -1}),
	move('page-down', 'Move ten processes down', ['pagedown'], {type: 'move', delta: 10}),
	move('page-up', 'Move ten processes up', ['pageup'], {type: 'move', delta: -10}),
	move('first', 'Select the first process', ['g', 'home'], {type: 'edge', to: 'first'}),
	move('last', 'Select the last process', ['G', 'end'], {type: 'edge', to: 'last'}),
	{
		id: 'processes.stop',
		title: 'Stop process',
		group: GROUP,
		scope: 'processes',
		keys: ['x', 'delete'],
		names: ['stop', 'kill'],
		hint: 'stop',
		disabledReason(ctx) {
			const entry = selectedEntry(ctx);
			if (!entry) return noSelectionReason(ctx);
			return entry.protection.protected ? `protected by ${printable(entry.protection.reasons[0]?.text ?? '')}` : undefined;
		},
		run: async ctx => stopSelected(ctx, selectedEntry(ctx)!),
	},
	{
		id: 'processes.protect',
		title: 'Protect or unprotect',
		group: GROUP,
		scope: 'processes',
		keys: ['p'],
		names: ['protect'],
		hint: 'protect',
		disabledReason(ctx) {
			const entry = selectedEntry(ctx);
			if (!entry) return noSelectionReason(ctx);
			const builtIn = entry.protection.reasons.find(reason => reason.source === 'built-in');
			return builtIn ? `${printable(builtIn.text)}; no rule can change that` : undefined;
		},
		run: async ctx => toggleProtection(ctx, selectedEntry(ctx)!),
	},
	{
		id: 'processes.cleanup',
		title: 'Clean up workspace processes',
		group: GROUP,
		scope: 'processes',
		keys: ['C'],
		names: ['cleanup-processes'],
		hint: 'cleanup',
		disabledReason(ctx) {
			const reason = loadingReason(ctx);
			if (reason) return reason;
			const {entries, scope} = processFeedFor(ctx.services).getSnapshot();
			// In 'mine' the listing holds the workspace's processes too; in 'workspace' it holds only them.
			return entries.some(entry => entry.inWorkspace && !entry.protection.protected) ? undefined : `no unprotected workspace processes${scope === 'mine' ? ' among yours' : ''}`;
		},
		run: async ctx => cleanupWorkspace(ctx.services),
	},
	{
		id: 'processes.details',
		title: 'Show everything about the selected process',
		group: GROUP,
		scope: 'processes',
		keys: ['enter'],
		hint: 'details',
		disabledReason: noSelectionReason,
		run: ctx => ({type: 'show', title: `Process ${selectedEntry(ctx)!.pid}`, lines: processDetails(selectedEntry(ctx)!)}),
	},
	{
		id: 'processes.sort',
		title: 'Sort by the next column (CPU, memory, newest, pid)',
		group: GROUP,
		scope: 'processes',
		keys: ['s'],
		hint: 'sort',
		disabledReason: loadingReason,
		run: () => pane({type: 'sort'}),
	},
	{
		id: 'processes.filter',
		title: 'Filter the list by text (pid, name, user, project, command line)',
		group: GROUP,
		scope: 'processes',
		keys: ['/'],
		hint: 'filter',
		disabledReason: loadingReason,
		run: () => ({
			type: 'prompt',
			title: 'Filter processes',
			help: 'Shows processes whose pid, name, user, project or command line contains this text; empty shows all.',
			onSubmit: text => pane({type: 'filter', text}),
		}),
	},
	{
		id: 'processes.scope',
		title: 'Switch between workspace processes and all of yours',
		group: GROUP,
		scope: 'processes',
		keys: ['a'],
		hint: 'all/ws',
		disabledReason: loadingReason,
		run(ctx) {
			const feed = processFeedFor(ctx.services);
			const next = feed.scope() === 'workspace' ? 'mine' : 'workspace';
			feed.setScope(next);
			return {type: 'toast', level: 'info', text: next === 'mine' ? 'Listing all of your processes.' : 'Listing the processes working in the workspace.'};
		},
	},
	{
		id: 'processes.refresh',
		title: 'Read the process list again now',
		group: GROUP,
		scope: 'processes',
		keys: ['r'],
		run: async ctx => {
			await processFeedFor(ctx.services).refresh();
		},
	},
];
