import path from 'node:path';
import {
	cardFlags, formatAge, formatGate, formatGit, leadFor,
	type BoardListing, type GateReport, type ProjectCard, type ProjectInfo,
} from '../core/board/index.js';
import {testLogPath} from '../core/board/gates.js';
import {STAGES, type WorkspacePaths} from '../core/paths.js';
import {escapeControl, plural} from './board-text.js';

/** "2026-01-05 14:03 (3d ago)" from an ISO time. */
function when(iso: string, now: number): string {
	const ms = Date.parse(iso);
	return Number.isNaN(ms) ? escapeControl(iso) : `${iso.slice(0, 16).replace('T', ' ')} UTC (${formatAge(ms, now)})`;
}

const field = (label: string, value: string): string => `${label.padEnd(12)}${value}`;

/**
 * The lines of a project's details dialog. Everything read from the disk
 * (description, notes, reasons, errors) is escaped: a note holding an
 * escape sequence shows it, it does not act on the terminal.
 */
export function detailLines(input: {info: ProjectInfo; card: ProjectCard | undefined; gates: GateReport | string | undefined; now: number; paths: WorkspacePaths}): string[] {
	const {info, card, gates, now, paths} = input;
	const {record} = info;
	const location = info.location;
	const lead = location && location !== 'archive' ? leadFor(record.model, location) : undefined;
	const lines = [
		field('Path', info.dir ?? `(missing: recorded in ${record.history.at(-1)?.to ?? '?'}, no folder found)`),
		field('Stage', `${location ?? 'missing'}${lead ? ` (leads to ${lead})` : ''}`),
		field('Model', record.model),
		field('Description', record.description ? escapeControl(record.description) : '—'),
		field('Created', when(record.created, now)),
	];
	if (card) {
		lines.push(field('Git', gitText(card)));
		if (card.activity) {
			lines.push(field('Changed', `${formatAge(card.activity.newestMs, now)}${card.activity.newestPath ? ` (${escapeControl(card.activity.newestPath)})` : ''}`));
		}

		const flags = cardFlags(card);
		if (flags.length > 0) lines.push(field('Flags', flags.join(', ')));
	}

	if (!info.recorded) lines.push(field('Record', 'none yet: added by hand; the first change records it'));
	if (gates !== undefined || location === 'public') lines.push('');
	if (typeof gates === 'string') {
		lines.push(`Gates: ${escapeControl(gates)}`);
	} else if (gates) {
		lines.push(`Gates to ${gates.to}${gates.results.length === 0 ? ': none (always allowed)' : gates.ok ? ': all pass' : `: ${plural(gates.results.filter(gate => !gate.ok).length, 'gate')} failed`}`);
		for (const gate of gates.results) lines.push(`  ${escapeControl(formatGate(gate))}${gate.ms === undefined || gate.ms < 100 ? '' : ` (${(gate.ms / 1000).toFixed(1)} s)`}`);
		if (gates.results.some(gate => gate.id === 'tests' && gate.output !== undefined)) {
			lines.push(`  test output: ${path.relative(paths.root, testLogPath(paths.meta, info.name))}`);
		}
	} else if (location === 'public') {
		lines.push('Gates: none (Public is the last stage)');
	}

	lines.push('', `History (${record.history.length}, newest first)`);
	for (const entry of [...record.history].reverse()) {
		const move = entry.from === null ? `→ ${entry.to}` : `${entry.from} → ${entry.to}`;
		const forced = entry.forced ? ` FORCED${entry.failedGates?.length ? ` (${entry.failedGates.join(', ')})` : ''}` : '';
		lines.push(`  ${entry.at.slice(0, 16).replace('T', ' ')}  ${move}  ${escapeControl(entry.reason)}${forced}${entry.by ? `  by ${escapeControl(entry.by)}` : ''}`);
	}

	lines.push('', record.notes.length === 0 ? 'Notes: none (N on the board adds one)' : `Notes (${record.notes.length}; N on the board adds one)`);
	for (const note of record.notes) {
		const [first = '', ...rest] = note.text.split('\n');
		lines.push(`  ${note.at.slice(0, 16).replace('T', ' ')}  ${escapeControl(first)}`, ...rest.map(line => `                    ${escapeControl(line)}`));
	}

	return lines;
}

function gitText(card: ProjectCard): string {
	const git = card.git;
	if (git === undefined) return 'not read yet';
	if (git.kind === 'none') return 'not a git repository';
	if (git.kind === 'error') return `git failed: ${escapeControl(git.error)}`;
	const parts = [formatGit(git), git.dirty ? plural(git.changes, 'uncommitted change') : 'clean'];
	if (git.upstream) parts.push(`upstream ${git.upstream}${git.ahead === undefined ? '' : `, ${git.ahead} ahead, ${git.behind ?? 0} behind`}`);
	else parts.push('no upstream');
	return parts.join(' · ');
}

/** The lines of the problems dialog: problems, missing projects, archive and trash counts. */
export function problemLines(listing: BoardListing, error: string | undefined): string[] {
	const lines: string[] = [];
	if (error) lines.push(`The last refresh failed: ${escapeControl(error)}`, '');
	for (const problem of listing.problems) lines.push(`! ${escapeControl(problem.message)}`);
	for (const project of listing.missing) {
		const where = project.recorded && (STAGES as readonly string[]).includes(project.recorded) ? `shown in ${project.recorded} as missing` : `recorded in ${project.recorded ?? 'no stage'}`;
		lines.push(`! "${project.name}" has a record but no folder (${where}): put the folder back, or x on its card / \`cws rm ${project.name}\` moves the record to the trash.`);
	}

	if (lines.length === 0 || (lines.length === 2 && error)) lines.push('Nothing is wrong: every folder is a project with one place, and every record has its folder.');
	lines.push('', `${plural(listing.archived.length, 'archived project')} · ${listing.trashCount} in the trash`);
	return lines;
}
