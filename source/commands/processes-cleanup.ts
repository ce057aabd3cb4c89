import {DEFAULT_GRACE_MS, describeResult, type CleanupPlan, type ProcessEntry} from '../core/processes/index.js';
import {printable, processes} from '../ui/panes/processes/text.js';
import {processFeedFor} from '../ui/shared/process-feed.js';
import {afterConfirm, freeze, thaw, toast, where} from './processes-actions.js';
import type {IntentList, ShellServices} from './types.js';

/** Width of a dialog's text at 80 columns (the frame takes 4). */
const TEXT_WIDTH = 76;
/** Rows a confirmation's body may fill at 80×24 before the question would be cut off. */
const BODY_ROWS = 15;

/** A piece of a wrapped line naming `count` processes. */
type Token = {text: string; count: number};

/** Tokens naming `entries`: `sleep 8014 8015, node 901`: the name once per run of equal names. */
function nameTokens(entries: readonly ProcessEntry[]): Token[] {
	const tokens: Token[] = [];
	let previous: string | undefined;
	for (const entry of entries) {
		const name = printable(entry.name);
		tokens.push({text: name === previous ? ` ${entry.pid}` : `${tokens.length > 0 ? ', ' : ''}${name} ${entry.pid}`, count: 1});
		previous = name;
	}

	return tokens;
}

/**
 * The plan as a few wrapped lines, per project: every process that will be
 * stopped and every protected one left alone, as far as the dialog has
 * room at 80×24; the rest is counted (`cws cleanup --processes --dry-run`
 * lists them all).
 */
export function cleanupBody(plan: CleanupPlan, width = TEXT_WIDTH, rows = BODY_ROWS): string[] {
	const count = plan.stops.reduce((sum, stop) => sum + stop.covers.length, 0);
	const byProject = new Map<string, {singles: ProcessEntry[]; groups: Token[]}>();
	for (const stop of plan.stops) {
		const key = where(stop.entry);
		const slot = byProject.get(key) ?? {singles: [], groups: []};
		byProject.set(key, slot);
		if (stop.scope === 'process') slot.singles.push(stop.entry);
		else slot.groups.push({text: `, ${printable(stop.entry.name)} ${stop.entry.pid} (group: ${nameTokens(stop.covers.slice(1)).map(token => token.text).join('')})`, count: stop.covers.length});
	}

	const lines: Array<{head: string; tokens: Token[]}> = [];
	for (const [project, {singles, groups}] of byProject) {
		const sorted = [...singles].sort((a, b) => a.name.localeCompare(b.name) || a.pid - b.pid);
		const tokens = [...nameTokens(sorted), ...groups];
		if (tokens[0]) tokens[0] = {...tokens[0], text: tokens[0].text.replace(/^, /, '')};
		lines.push({head: `${project}: `, tokens});
	}

	const byReason = new Map<string, ProcessEntry[]>();
	for (const {entry, reasons} of plan.protected) {
		const reason = printable(reasons[0] ?? 'protected');
		byReason.set(reason, [...(byReason.get(reason) ?? []), entry]);
	}

	const skipped: Token[] = [...byReason].flatMap(([reason, entries], index) => {
		const tokens = nameTokens(entries);
		if (index > 0 && tokens[0]) tokens[0] = {...tokens[0], text: `; ${tokens[0].text}`};
		tokens.push({text: ` (${reason})`, count: 0});
		return tokens;
	});
	if (skipped.length > 0) lines.push({head: `Skips ${plan.protected.length} protected: `, tokens: skipped});

	// Each line wraps in the dialog (at spaces, so count a little short of the width).
	const out = [`Stops ${processes(count)} (SIGTERM, SIGKILL after ${DEFAULT_GRACE_MS / 1000} s):`];
	const budget = rows - 2;
	let used = 0;
	let omitted = 0;
	for (const line of lines) {
		let text = line.head;
		for (const token of line.tokens) {
			if (omitted > 0 || used + Math.ceil((text.length + token.text.length) / (width - 4)) > budget) omitted += token.count;
			else text += token.text;
		}

		if (text !== line.head) {
			out.push(omitted > 0 ? `${text} …` : text);
			used += Math.ceil(text.length / (width - 4));
		}
	}

	if (omitted > 0) out.push(`… and ${processes(omitted)} more (\`cws cleanup --processes --dry-run\` lists all).`);
	return out;
}

/** The cleanup key: one confirmation for the whole list, then every stop at once. */
export async function cleanupWorkspace(services: ShellServices): Promise<IntentList> {
	const feed = processFeedFor(services);
	const plan = await feed.control.planCleanup();
	if (plan.stops.length === 0) {
		return toast('info', `No workspace processes to stop${plan.protected.length > 0 ? ` (${plan.protected.length} protected left alone)` : ''}.`);
	}

	const count = plan.stops.reduce((sum, stop) => sum + stop.covers.length, 0);
	return [freeze, {
		type: 'confirm',
		title: `Stop ${count === 1 ? 'the 1 workspace process' : `all ${count} workspace processes`}?`,
		body: cleanupBody(plan),
		confirmLabel: 'Stop all',
		onConfirm: async () => afterConfirm(feed, async () => {
			const results = await feed.control.runCleanup(plan, {requestedBy: 'tui'});
			const ok = results.filter(result => result.outcome === 'stopped' || result.outcome === 'killed').length;
			const bad = results.filter(result => result.outcome === 'refused' || result.outcome === 'failed');
			if (bad.length === 0) return toast('success', `Cleanup: ${ok} of ${results.length} stopped.`);
			return [
				toast('error', `Cleanup: ${ok} of ${results.length} stopped, ${bad.length} not: ${describeResult(bad[0]!)}`),
				{type: 'show', title: 'Cleanup results', lines: results.map(result => printable(describeResult(result)))},
			];
		}),
		onCancel: () => thaw,
	}];
}
