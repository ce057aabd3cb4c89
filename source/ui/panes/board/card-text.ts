import {escapeControl, plural, shortAge} from '../../../commands/board-text.js';
import {formatAge, formatGit, type ProjectCard} from '../../../core/board/index.js';
import type {SyncBadge} from '../../../core/queue/index.js';
import type {BoardItem} from './columns.js';

/** Meaning of a piece of text; the view maps it to a theme colour. */
export type Tone = 'plain' | 'muted' | 'success' | 'warning' | 'error' | 'info' | 'accent';

/** A run of text drawn in one tone. */
export type Segment = {text: string; tone: Tone};

/** What a card needs besides the card itself. */
export type CardContext = {
	now: number;
	/** Running processes of this project. */
	processes: number;
	badge: SyncBadge | undefined;
};

const badgeTone: Record<SyncBadge['tone'], Tone> = {ok: 'success', warn: 'warning', error: 'error', busy: 'info'};

/** A badge in a few characters for a card ("✓3h", "⟳sync", "✗conflict"); undefined when not worth the room. */
export function shortBadge(badge: SyncBadge | undefined): Segment | undefined {
	if (!badge || badge.label === 'never synced') return undefined;
	const synced = /^synced (.+) ago$/.exec(badge.label);
	if (synced) return {text: `${badge.tone === 'ok' ? '✓' : '!'}${synced[1]!}`, tone: badgeTone[badge.tone]};
	const mark = {ok: '✓', warn: '!', error: '✗', busy: '⟳'}[badge.tone];
	return {text: `${mark}${badge.label.replace(/^sync /, '')}`, tone: badgeTone[badge.tone]};
}

function gitTone(card: ProjectCard): Tone {
	if (card.git?.kind === 'error') return 'error';
	if (card.git?.kind === 'repo' && card.git.dirty) return 'warning';
	return 'muted';
}

/** Flags at the right of a card's first line: missing, stale, duplicate, process count. */
function flags(item: BoardItem, context: CardContext): Segment[] {
	if (item.kind === 'missing') return [{text: 'missing', tone: 'error'}];
	const {card} = item;
	const out: Segment[] = [];
	if (card.stale) out.push({text: 'stale', tone: 'warning'});
	if (card.duplicate) out.push({text: 'dup', tone: 'error'});
	if (context.processes > 0) out.push({text: `⚙${context.processes}`, tone: 'info'});
	return out;
}

/** Total length of segments joined by single spaces. */
const joinedLength = (segments: readonly Segment[]): number => segments.reduce((sum, segment, index) => sum + segment.text.length + (index > 0 ? 1 : 0), 0);

/** Puts single spaces between segments. */
function spaced(segments: readonly Segment[]): Segment[] {
	return segments.flatMap((segment, index) => (index === 0 ? [segment] : [{text: ' ', tone: 'plain' as const}, segment]));
}

/**
 * First line of a card, exactly `width` characters: the marker, the name
 * (shortened with … when needed) and its flags. Names are validated
 * ASCII, so length is width here.
 */
export function cardTitle(item: BoardItem, context: CardContext, selected: boolean, width: number): Segment[] {
	const marker = selected ? '▶ ' : '  ';
	let right = flags(item, context);
	let room = width - marker.length - (right.length > 0 ? joinedLength(right) + 1 : 0);
	// A name cut below 6 characters says nothing: drop the flags first.
	if (room < Math.min(6, item.name.length)) {
		right = [];
		room = width - marker.length;
	}

	const name = item.name.length > room ? `${item.name.slice(0, Math.max(0, room - 1))}…` : item.name;
	const used = marker.length + name.length + (right.length > 0 ? joinedLength(right) + 1 : 0);
	return [{text: marker + name, tone: 'plain'}, ...right.flatMap(segment => [{text: ' ', tone: 'plain' as const}, segment]), {text: ' '.repeat(Math.max(0, width - used)), tone: 'plain'}];
}

/**
 * Second line of a card, at most `width` characters, as many of these as
 * fit in this order of importance: git state, then where it leads (Stable
 * and Public), last activity, sync badge, model. The footer line shows
 * them all for the selected card.
 */
export function cardDetail(item: BoardItem, context: CardContext, width: number): Segment[] {
	const indent = '  ';
	if (item.kind === 'missing') return [{text: `${indent}folder missing`.slice(0, width), tone: 'error'}];
	const {card} = item;
	const git: Segment = {text: formatGit(card.git), tone: gitTone(card)};
	const age: Segment | undefined = card.activity ? {text: shortAge(card.activity.newestMs, context.now), tone: 'muted'} : undefined;
	const badge = shortBadge(context.badge);
	// Where a Stable/Public project leads says more there than its age; "Sales (paid)" reads as "Sales".
	const candidates = card.lead
		? [git, {text: `→${card.lead.replace(/ \(.*\)$/, '')}`, tone: 'accent' as const}, badge, age]
		: [git, age, badge, {text: card.model, tone: 'muted' as const}];
	const chosen: Segment[] = [];
	let used = indent.length;
	for (const segment of candidates) {
		if (!segment) continue;
		const need = segment.text.length + (chosen.length > 0 ? 1 : 0);
		if (used + need > width) {
			if (chosen.length === 0) chosen.push({...segment, text: segment.text.slice(0, Math.max(0, width - used))});
			break;
		}

		chosen.push(segment);
		used += need;
	}

	return [{text: indent, tone: 'plain'}, ...spaced(chosen)];
}

/** Everything about the selected row in one line, for the board's footer (cut to width by the view). */
export function selectionLine(item: BoardItem, context: CardContext): Segment[] {
	if (item.kind === 'missing') {
		return [
			{text: item.name, tone: 'plain'},
			{text: ` — recorded in ${item.missing.recorded ?? '?'} but its folder is gone: put it back, or x moves the record to the trash`, tone: 'error'},
		];
	}

	const {card} = item;
	const parts: Segment[] = [{text: card.model, tone: 'muted'}];
	const git = card.git;
	if (git?.kind === 'repo') {
		const where = git.branch ?? (git.head ? `detached at ${git.head}` : 'detached');
		const changes = git.dirty ? `, ${plural(git.changes, 'change')}` : ', clean';
		const sync = git.ahead !== undefined && git.behind !== undefined ? `, ${git.ahead} ahead ${git.behind} behind ${git.upstream ?? ''}`.trimEnd() : git.upstream === null ? ', no upstream' : '';
		parts.push({text: `${where}${changes}${sync}`, tone: gitTone(card)});
	} else {
		parts.push({text: git === undefined ? 'git …' : git.kind === 'none' ? 'no git' : `git error: ${escapeControl(git.error)}`, tone: gitTone(card)});
	}

	if (card.activity) parts.push({text: `changed ${formatAge(card.activity.newestMs, context.now)}`, tone: 'muted'});
	if (card.stale) parts.push({text: 'stale', tone: 'warning'});
	if (context.badge) parts.push({text: context.badge.label, tone: badgeTone[context.badge.tone]});
	if (context.processes > 0) parts.push({text: `${context.processes} process${context.processes === 1 ? '' : 'es'}`, tone: 'info'});
	if (card.lead) parts.push({text: `leads to ${card.lead}`, tone: 'accent'});
	if (card.movedFrom) parts.push({text: `moved by hand from ${card.movedFrom}`, tone: 'warning'});
	if (card.duplicate) parts.push({text: 'also in another stage', tone: 'error'});
	if (!card.recorded) parts.push({text: 'added by hand', tone: 'muted'});
	if (card.description) parts.push({text: escapeControl(card.description), tone: 'plain'});
	return [{text: card.name, tone: 'plain'}, ...parts.flatMap(part => [{text: ' · ', tone: 'muted' as const}, part])];
}
