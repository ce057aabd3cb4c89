import {formatBytes, formatRunTime, type ProcessEntry} from '../../../core/processes/index.js';
import type {ProcessSort} from './state.js';
import {cell, clip, printable, processes} from './text.js';

/** Marks left of a row, one cell each, readable without colour. */
export const MARK = {protected: '⊘', group: '≡'} as const;

export type ColumnId = 'pid' | 'user' | 'cpu' | 'rss' | 'age' | 'project' | 'command';
export type Column = {id: ColumnId; title: string; width: number; right: boolean};

/** Selection marker, protected mark, group mark, space. */
const PREFIX = 4;
/** The command keeps at least this much room; columns that would squeeze it more are left out. */
const MIN_COMMAND = 12;
const ORDER: readonly ColumnId[] = ['pid', 'user', 'cpu', 'rss', 'age', 'project', 'command'];
const SORT_COLUMN: Record<ProcessSort, ColumnId> = {cpu: 'cpu', memory: 'rss', age: 'age', pid: 'pid'};

/** The project column's text: the project's name (its stage is in the details line). */
export function projectCell(entry: ProcessEntry): string {
	if (entry.project !== null) return entry.project.slice(entry.project.indexOf('/') + 1);
	return entry.inWorkspace ? '(root)' : '-';
}

const longest = (values: readonly string[], low: number, high: number): number => Math.min(high, Math.max(low, ...values.map(value => value.length)));

/**
 * The columns that fit `width`: pid and command always; then the column
 * the list is sorted by, the project, CPU%, RSS, age and user while the
 * command keeps room. A narrow pane (40 columns at 80×24) shows pid, the
 * sort column, project and command; the details line says the rest.
 */
export function layoutColumns(rows: readonly ProcessEntry[], width: number, sort: ProcessSort): Column[] {
	const all: Record<ColumnId, Column> = {
		pid: {id: 'pid', title: 'PID', width: longest(rows.map(row => String(row.pid)), 3, 7), right: true},
		user: {id: 'user', title: 'USER', width: longest(rows.map(row => printable(row.user)), 4, 8), right: false},
		cpu: {id: 'cpu', title: 'CPU%', width: 5, right: true},
		rss: {id: 'rss', title: 'RSS', width: 5, right: true},
		age: {id: 'age', title: 'AGE', width: 4, right: true},
		project: {id: 'project', title: 'PROJECT', width: longest(rows.map(projectCell), 7, 14), right: false},
		command: {id: 'command', title: 'COMMAND', width: 0, right: false},
	};
	const chosen = new Set<ColumnId>(['pid']);
	let used = PREFIX + all.pid.width + 1;
	const wanted: ColumnId[] = [SORT_COLUMN[sort], 'project', 'cpu', 'rss', 'age', 'user'];
	for (const id of wanted) {
		if (chosen.has(id)) continue;
		if (width - used - all[id].width - 1 >= MIN_COMMAND) {
			chosen.add(id);
			used += all[id].width + 1;
		}
	}

	all.command.width = Math.max(1, width - used);
	chosen.add('command');
	return ORDER.filter(id => chosen.has(id)).map(id => all[id]);
}

function value(entry: ProcessEntry, id: ColumnId, now: number): string {
	switch (id) {
		case 'pid':
			return String(entry.pid);
		case 'user':
			return printable(entry.user);
		case 'cpu':
			return entry.cpuPercent.toFixed(1);
		case 'rss':
			return formatBytes(entry.rssBytes);
		case 'age':
			return formatRunTime(entry.startedAt, now);
		case 'project':
			return projectCell(entry);
		case 'command':
			return printable(entry.command);
	}
}

/** The heading line. */
export function headerLine(columns: readonly Column[]): string {
	return `${' '.repeat(PREFIX)}${columns.map(column => cell(column.title, column.width, column.right)).join(' ')}`.trimEnd();
}

/** Whether `entry` leads a process group with other live members (it can be stopped as a group). */
export const leadsGroup = (entry: ProcessEntry): boolean => entry.groupSize > 1;

/** One row after its selection marker: marks, then the cells; exactly as wide as the columns. */
export function rowCells(entry: ProcessEntry, columns: readonly Column[], now: number): {marks: string; cells: string} {
	const marks = `${entry.protection.protected ? MARK.protected : ' '}${leadsGroup(entry) ? MARK.group : ' '} `;
	const cells = columns.map(column => cell(value(entry, column.id, now), column.width, column.right)).join(' ');
	return {marks, cells};
}

/**
 * What the row cannot show about the selected process. With room for one
 * line a protected process shows the rule that protects it; with two, the
 * rule and then where it works, its user, memory, age and group.
 */
export function detailLines(entry: ProcessEntry, now: number, width: number, room: number): string[] {
	const where = entry.project ?? (entry.inWorkspace ? 'workspace root' : 'outside the workspace');
	const group = leadsGroup(entry) ? ` · leads a group of ${processes(entry.groupSize)}` : '';
	const info = `${where} · ${printable(entry.user)} · ${formatBytes(entry.rssBytes)} · up ${formatRunTime(entry.startedAt, now)}${group}`;
	const reasons = entry.protection.reasons;
	const more = reasons.length > 1 ? ` (+${reasons.length - 1} more)` : '';
	const rule = reasons[0] ? `${MARK.protected} ${printable(reasons[0].text)}${more}` : undefined;
	const lines = rule === undefined ? [info] : room >= 2 ? [rule, info] : [rule];
	return lines.map(line => clip(line, width));
}
