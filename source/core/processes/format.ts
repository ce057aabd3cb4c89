import type {CleanupPlan} from './cleanup.js';
import type {WhitelistRule} from './rules.js';
import type {ProcessEntry} from './snapshot.js';
import type {StopResult} from './stop.js';

/** Resident memory the way ps -h shows it: 812K, 12.4M, 1.2G. */
export function formatBytes(bytes: number): string {
	const units = ['B', 'K', 'M', 'G', 'T'];
	let value = bytes;
	let unit = 0;
	while (value >= 1024 && unit < units.length - 1) {
		value /= 1024;
		unit += 1;
	}

	return unit === 0 ? `${value}B` : `${value < 10 ? value.toFixed(1) : Math.round(value)}${units[unit]}`;
}

/** How long a process has run: 42s, 17m, 5h, 12d. */
export function formatRunTime(startedAt: number, now = Date.now()): string {
	const seconds = Math.max(0, Math.round((now - startedAt) / 1000));
	if (seconds < 60) {
		return `${seconds}s`;
	}

	if (seconds < 3600) {
		return `${Math.floor(seconds / 60)}m`;
	}

	return seconds < 86_400 ? `${Math.floor(seconds / 3600)}h` : `${Math.floor(seconds / 86_400)}d`;
}

/** One line naming a process for a confirmation: name, pid, user, project, command. */
export function describeEntry(entry: ProcessEntry, width = 200): string {
	const where = entry.project ?? (entry.inWorkspace ? 'workspace' : 'outside the workspace');
	return clip(`${entry.name} (pid ${entry.pid}, ${entry.user}, ${where}): ${entry.command}`, width);
}

/** The text a person reads before a cleanup runs. */
export function describePlan(plan: CleanupPlan, width = 200): string[] {
	const lines: string[] = [];
	if (plan.stops.length === 0) {
		lines.push('No workspace processes to stop.');
	} else {
		const count = plan.stops.reduce((sum, stop) => sum + stop.covers.length, 0);
		lines.push(`Will stop ${count} workspace process${count === 1 ? '' : 'es'}:`);
		for (const stop of plan.stops) {
			lines.push(`  ${describeEntry(stop.entry, width - 2)}`);
			if (stop.scope === 'group') {
				lines.push(`    as a process group with ${stop.covers.length - 1} more:`);
				for (const member of stop.covers.slice(1)) {
					lines.push(`      ${describeEntry(member, width - 6)}`);
				}
			}
		}
	}

	if (plan.protected.length > 0) {
		lines.push(`Left alone (protected): ${plan.protected.length}`);
		for (const {entry, reasons} of plan.protected) {
			lines.push(`  ${clip(`${entry.name} (pid ${entry.pid}): ${reasons[0] ?? ''}`, width - 2)}`);
		}
	}

	return lines;
}

/** One line for a finished stop. */
export function describeResult(result: StopResult): string {
	const what = result.scope === 'group' ? `group ${result.pid} (${result.members?.length ?? 0} processes)` : `pid ${result.pid}`;
	switch (result.outcome) {
		case 'stopped':
		case 'killed': {
			const signals = result.signals.map(sent => sent.signal).join(' then ');
			return `${result.outcome === 'killed' ? 'killed' : 'stopped'} ${what} (${signals || 'it exited'}, ${(result.elapsedMs / 1000).toFixed(1)} s): ${result.command}`;
		}

		default: {
			return `${result.outcome}: ${what}: ${result.message}`;
		}
	}
}

function clip(text: string, width: number): string {
	return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`;
}

/** A listed process as `--json` shows it: plain data, ISO start time, protection flattened. */
export function entryJson(entry: ProcessEntry): Record<string, unknown> {
	const {protection, startedAt, ...rest} = entry;
	return {...rest, startedAt: new Date(startedAt).toISOString(), protected: protection.protected, protectedBy: protection.reasons};
}

/** One line per rule: id, kind, value, user limit, reason. */
export function ruleLine(rule: WhitelistRule): string {
	const user = rule.user === undefined ? '' : ` (user ${rule.user})`;
	return `${rule.id}  ${rule.kind} ${rule.value}${user}: ${rule.reason}`;
}

/** `cws ps` as aligned text columns; the command line is last and not cut. */
export function processTable(entries: readonly ProcessEntry[], now: number): string[] {
	const rows = entries.map(entry => [
		String(entry.pid), entry.user, entry.cpuPercent.toFixed(1), formatBytes(entry.rssBytes), formatRunTime(entry.startedAt, now),
		entry.project ?? (entry.inWorkspace ? '(workspace)' : '-'), entry.protection.protected ? 'yes' : '', entry.command,
	]);
	const header = ['PID', 'USER', 'CPU%', 'RSS', 'AGE', 'PROJECT', 'PROT', 'COMMAND'];
	const widths = header.map((title, column) => Math.max(title.length, ...rows.map(row => row[column]!.length)));
	const line = (cells: string[]): string => cells.map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ');
	return [line(header), ...rows.map(line)];
}
