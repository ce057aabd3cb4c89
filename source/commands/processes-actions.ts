import {isCwsError} from '../core/errors.js';
import {
	DEFAULT_GRACE_MS, describeResult, formatBytes, formatRunTime, protectionToggle, ruleLine, targetOf,
	type ProcessEntry, type StopResult,
} from '../core/processes/index.js';
import type {ProcessesAction} from '../ui/panes/processes/state.js';
import {clip, printable, processes} from '../ui/panes/processes/text.js';
import {processFeedFor, type ProcessFeed} from '../ui/shared/process-feed.js';
import type {CommandContext, Intent, IntentList, ToastLevel} from './types.js';

/** Width of a dialog's text at 80 columns (the frame takes 4). */
const TEXT_WIDTH = 76;

const pane = (action: ProcessesAction): Intent => ({type: 'pane', pane: 'processes', action});
/** A toast whose text (often a process's own) is escaped and kept to a reasonable length. */
export const toast = (level: ToastLevel, text: string): Intent => ({type: 'toast', level, text: clip(printable(text), 300)});
/** Holds the pane's rows still while a confirmation is open; `thaw` lets them move again. */
export const freeze = pane({type: 'freeze'});
export const thaw = pane({type: 'thaw'});

function failure(error: unknown): string {
	if (isCwsError(error)) return error.hint ? `${error.message} ${error.hint}` : error.message;
	return `unexpected error: ${error instanceof Error ? error.message : String(error)}`;
}

/**
 * Runs what a confirmation accepted, then lets the list move again (also
 * after a failure: the rows never stay held) and re-reads it so a stopped
 * process disappears at once.
 */
export async function afterConfirm(feed: ProcessFeed, work: () => Promise<IntentList>): Promise<IntentList> {
	let intents: Intent[];
	try {
		const result = await work();
		intents = result === undefined ? [] : Array.isArray(result) ? result : [result];
	} catch (error) {
		intents = [toast('error', failure(error))];
	}

	await feed.refresh();
	return [thaw, ...intents];
}

/** The selected process as the pane listed it. */
export function selectedEntry(ctx: CommandContext): ProcessEntry | undefined {
	return ctx.panes.processes?.selection?.data?.['entry'] as ProcessEntry | undefined;
}

/** Why there is nothing to act on. */
export function noSelectionReason(ctx: CommandContext): string | undefined {
	if (selectedEntry(ctx)) return undefined;
	return processFeedFor(ctx.services).getSnapshot().status === 'loading' ? 'the process list is still loading' : 'no process selected';
}

/** `name (pid N)` */
const named = (entry: ProcessEntry): string => `${printable(entry.name)} (pid ${entry.pid})`;
/** Where a process works, in words. */
export const where = (entry: ProcessEntry): string => entry.project ?? (entry.inWorkspace ? 'the workspace root' : 'outside the workspace');

/** The listed process again, fresh: undefined when it exited (or its pid now names another process). */
async function refreshed(feed: ProcessFeed, chosen: ProcessEntry): Promise<ProcessEntry | undefined> {
	await feed.refresh();
	return feed.getSnapshot().entries.find(entry => entry.pid === chosen.pid && entry.startTime === chosen.startTime);
}

type GroupCheck = {members: ProcessEntry[]; problem: string | undefined};

/** Whether `leader`'s group can be stopped as a group: all live members listed, in the workspace, unprotected. */
function groupOf(leader: ProcessEntry, entries: readonly ProcessEntry[]): GroupCheck | undefined {
	if (leader.pgid !== leader.pid || leader.groupSize <= 1) return undefined;
	const members = entries.filter(entry => entry.pgid === leader.pid && entry.state !== 'Z' && entry.pid !== leader.pid);
	let problem: string | undefined;
	if (members.length + 1 < leader.groupSize) problem = 'some of its members work outside the workspace';
	else if (members.some(member => member.protection.protected)) problem = 'some of its members are protected';
	else if (!leader.inWorkspace || members.some(member => !member.inWorkspace)) problem = 'some of its members work outside the workspace';
	return {members, problem};
}

function commandLines(command: string): string[] {
	return [`Command:  ${clip(printable(command), TEXT_WIDTH * 2 - 10)}`];
}

/** The stop key: a confirmation naming exactly what will be signalled, then the stop. */
export async function stopSelected(ctx: CommandContext, chosen: ProcessEntry): Promise<IntentList> {
	const feed = processFeedFor(ctx.services);
	const entry = await refreshed(feed, chosen);
	if (!entry) return toast('info', `${named(chosen)} has already exited.`);
	if (entry.protection.protected) return toast('warning', `Not stopped: ${named(entry)} is protected (${entry.protection.reasons[0]?.text ?? ''}).`);
	const group = groupOf(entry, feed.getSnapshot().entries);
	const asGroup = group !== undefined && group.problem === undefined;
	const body = [
		`Name:     ${printable(entry.name)}`,
		`PID:      ${entry.pid}${entry.ppid > 0 ? ` (parent ${entry.ppid})` : ''}, up ${formatRunTime(entry.startedAt, Date.now())}, ${formatBytes(entry.rssBytes)}`,
		`User:     ${printable(entry.user)}`,
		`Project:  ${where(entry)}`,
		...(entry.exe === null ? [] : [clip(`Program:  ${printable(entry.exe)}${entry.exeDeleted ? ' (deleted since it started)' : ''}`, TEXT_WIDTH * 2)]),
		...commandLines(entry.command),
	];
	if (group && asGroup) {
		body.push(`As a process group, with ${group.members.length} more:`);
		const shown = group.members.slice(0, 5);
		for (const member of shown) body.push(clip(`  ${member.pid} ${printable(member.command)}`, TEXT_WIDTH));
		if (group.members.length > shown.length) body.push(`  … and ${group.members.length - shown.length} more`);
	} else if (group) {
		body.push(clip(`It leads a group of ${processes(group.members.length + 1)}, but ${group.problem}: only this one is stopped.`, TEXT_WIDTH * 2));
	}

	body.push(`SIGTERM now, SIGKILL after ${DEFAULT_GRACE_MS / 1000} s if it is still running.`);
	const target = targetOf(entry);
	if (!entry.inWorkspace) return stopOutside(feed, entry);
	return [freeze, {
		type: 'confirm',
		title: asGroup ? `Stop process group ${entry.pid} (${processes(group.members.length + 1)})?` : `Stop ${named(entry)}?`,
		body,
		confirmLabel: 'Stop',
		onConfirm: async () => afterConfirm(feed, async () => {
			const options = {requestedBy: 'tui' as const};
			const result = asGroup ? await feed.control.stopGroup(target, options) : await feed.control.stopProcess(target, options);
			return resultToast(result);
		}),
		onCancel: () => thaw,
	}];
}

/**
 * A process outside the workspace (listed under "all of mine") is nothing
 * cleanup would touch and is easy to pick by mistake in a long list, so a
 * yes is not enough: its pid must be typed.
 */
function stopOutside(feed: ProcessFeed, entry: ProcessEntry): Intent {
	return {
		type: 'prompt',
		title: `Stop ${named(entry)}? It works outside the workspace.`,
		help: clip(`Type ${entry.pid} and Enter to stop it (SIGTERM, SIGKILL after ${DEFAULT_GRACE_MS / 1000} s); Esc keeps it. ${printable(entry.user)} · ${printable(entry.command)}`, TEXT_WIDTH * 3),
		onSubmit: async text => {
			if (text.trim() !== String(entry.pid)) return toast('info', `Not stopped: ${named(entry)} needs its pid typed.`);
			const result = await feed.control.stopProcess(targetOf(entry), {requestedBy: 'tui'});
			await feed.refresh();
			return resultToast(result);
		},
	};
}

const LEVELS: Record<StopResult['outcome'], ToastLevel> = {stopped: 'success', killed: 'success', 'already-gone': 'info', refused: 'warning', failed: 'error'};

function resultToast(result: StopResult): Intent {
	const reasons = result.outcome === 'refused' || result.outcome === 'failed' ? result.reasons.slice(0, 2).join('; ') : '';
	return toast(LEVELS[result.outcome], `${describeResult(result)}${reasons && !describeResult(result).includes(reasons) ? ` (${reasons})` : ''}`);
}

/** The protect key: shows the rule that will be added or removed, saves it once confirmed. */
export async function toggleProtection(ctx: CommandContext, chosen: ProcessEntry): Promise<IntentList> {
	const feed = processFeedFor(ctx.services);
	const entry = await refreshed(feed, chosen) ?? chosen;
	const toggle = protectionToggle(entry);
	switch (toggle.action) {
		case 'none':
			return toast('warning', `${named(entry)}: ${toggle.description}`);
		case 'add': {
			const {rule} = toggle;
			return [freeze, {
				type: 'confirm',
				title: `Protect ${named(entry)}?`,
				body: [
					'Adds this rule to .cws/whitelist.json:',
					clip(`  ${rule.kind} ${printable(rule.value)}${rule.user === undefined ? '' : ` (user ${printable(rule.user)})`}`, TEXT_WIDTH * 2),
					clip(`  reason: ${printable(rule.reason ?? '')}`, TEXT_WIDTH),
					clip(printable(toggle.description), TEXT_WIDTH * 2),
				],
				confirmLabel: 'Protect',
				onConfirm: async () => afterConfirm(feed, async () => {
					const added = await feed.control.addRule(rule);
					return added.added
						? toast('success', `Rule ${added.rule.id} added: ${named(entry)} is protected.`)
						: toast('info', `Rule ${added.rule.id} already protects ${named(entry)}.`);
				}),
				onCancel: () => thaw,
			}];
		}

		case 'remove': {
			const rules = (await feed.control.rules()).filter(rule => toggle.ruleIds.includes(rule.id));
			return [freeze, {
				type: 'confirm',
				title: `Unprotect ${named(entry)}?`,
				body: [
					`Removes ${toggle.ruleIds.length === 1 ? 'this rule' : 'these rules'} from .cws/whitelist.json:`,
					...rules.map(rule => clip(`  ${printable(ruleLine(rule))}`, TEXT_WIDTH * 2)),
					clip(printable(toggle.description), TEXT_WIDTH * 2),
				],
				confirmLabel: 'Remove',
				onConfirm: async () => afterConfirm(feed, async () => {
					for (const id of toggle.ruleIds) await feed.control.removeRule(id);
					return toast('success', `Removed ${toggle.ruleIds.join(', ')}: ${named(entry)} is no longer protected by ${toggle.ruleIds.length === 1 ? 'it' : 'them'}.`);
				}),
				onCancel: () => thaw,
			}];
		}
	}
}
