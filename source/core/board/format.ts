import type {GitState} from './git.js';
import type {GateResult} from './gates.js';
import type {BoardListing, ProjectCard} from './listing.js';

/** "just now", "5m", "3h", "2d", "7w", "1y": how long ago `ms` was, short enough for a card. */
export function formatAge(ms: number, now: number): string {
	const seconds = Math.max(0, Math.round((now - ms) / 1000));
	if (seconds < 60) {
		return 'just now';
	}

	const steps: Array<[number, string]> = [[60, 'm'], [3600, 'h'], [86_400, 'd'], [604_800, 'w'], [31_536_000, 'y']];
	let label = '';
	for (const [size, unit] of steps) {
		if (seconds >= size) {
			label = `${Math.floor(seconds / size)}${unit}`;
		}
	}

	return `${label} ago`;
}

/** A card's git state in a few characters: "main*" (dirty), "↑2↓1", "no git", "git?" (error). */
export function formatGit(git: GitState | undefined): string {
	if (git === undefined) {
		return '…';
	}

	if (git.kind === 'none') {
		return 'no git';
	}

	if (git.kind === 'error') {
		return 'git?';
	}

	let text = git.branch ?? (git.head ? `@${git.head}` : 'detached');
	if (git.dirty) {
		text += '*';
	}

	if (git.ahead !== undefined && git.behind !== undefined && (git.ahead > 0 || git.behind > 0)) {
		text += ` ${git.ahead > 0 ? `↑${git.ahead}` : ''}${git.behind > 0 ? `↓${git.behind}` : ''}`;
	}

	return text;
}

/** One line per gate: "✓ Tests pass — npm test passed". */
export function formatGate(result: GateResult, ascii = false): string {
	const mark = result.ok ? (ascii ? 'ok ' : '✓') : (ascii ? 'FAIL' : '✗');
	return `${mark} ${result.title} — ${result.reason}`;
}

/** Short flags of a card for lists: stale, moved by hand, duplicate, unrecorded. */
export function cardFlags(card: ProjectCard): string[] {
	const flags: string[] = [];
	if (card.stale) {
		flags.push('stale');
	}

	if (card.movedFrom) {
		flags.push(`moved by hand from ${card.movedFrom}`);
	}

	if (card.duplicate) {
		flags.push('duplicate');
	}

	if (!card.recorded) {
		flags.push('added by hand');
	}

	return flags;
}

/** `cws list` as text: an aligned table, then missing projects and problems. */
export function listingLines(listing: BoardListing, now: number): string[] {
	if (listing.cards.length === 0 && listing.missing.length === 0 && listing.problems.length === 0) {
		return [`No projects in ${listing.root}. Create one with \`cws new <name>\`.`];
	}

	const header = ['STAGE', 'NAME', 'MODEL', 'GIT', 'ACTIVITY', 'LEADS TO', 'NOTES'];
	const rows = listing.cards.map(card => [
		card.stage, card.name, card.model, formatGit(card.git),
		card.activity ? formatAge(card.activity.newestMs, now) : '', card.lead ?? '', cardFlags(card).join(', '),
	]);
	const widths = header.map((title, column) => Math.max(title.length, ...rows.map(row => row[column]!.length)));
	const line = (row: string[]) => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd();
	return [
		...(rows.length > 0 ? [line(header), ...rows.map(row => line(row))] : []),
		...listing.missing.map(missing => `missing: ${missing.name} (recorded in ${missing.recorded ?? '?'}; its folder is gone: put it back or \`cws rm ${missing.name}\`)`),
		...listing.problems.map(problem => `problem: ${problem.message}`),
	];
}
