import {describe, expect, it} from 'vitest';
import type {BoardSnapshot, ProjectCard} from '../../source/core/board/index.js';
import type {QueueSnapshot} from '../../source/core/queue/index.js';
import {clockText} from '../../source/ui/panes/board/index.js';

const minute = 60_000;
const start = Date.UTC(2026, 0, 1, 12, 0, 0);

function board(cards: Array<Partial<ProjectCard> & {key: string; name: string}>): BoardSnapshot {
	return {version: 1, refreshedAt: start, listing: {root: '/ws', scannedAt: start, cards: cards as ProjectCard[], archived: [], missing: [], pending: null, problems: [], trashCount: 0}};
}

describe('board clock', () => {
	const snapshot = board([
		{key: 'active/a', name: 'a', activity: {newestMs: start - 5 * minute, newestPath: 'x', files: 1, truncated: false}},
		{key: 'active/b', name: 'b', activity: {newestMs: start - 3 * 86_400_000, newestPath: 'x', files: 1, truncated: false}},
		{key: 'active/off', name: 'off', activity: {newestMs: start - 10_000, newestPath: 'x', files: 1, truncated: false}},
	]);
	const queue = {stats: {lastSync: {b: {at: start - 2 * 3600_000, ageMs: 0, stale: false, targets: {}}}}} as unknown as QueueSnapshot;

	it('reads the same within a minute, so an idle board is not redrawn for it', () => {
		const on = ['active/a', 'active/b'];
		expect(clockText(on, snapshot, queue, start + 10_000)).toBe(clockText(on, snapshot, queue, start + 50_000));
		// A card off screen turning from "just now" to "1m" draws nothing new.
		expect(clockText(on, snapshot, queue, start)).toBe(clockText(on, snapshot, queue, start + 55_000));
	});

	it('reads differently once an age on screen moves on: a card\'s last change, a project\'s last sync', () => {
		expect(clockText(['active/a'], snapshot, queue, start)).not.toBe(clockText(['active/a'], snapshot, queue, start + minute));
		const hour = 3600_000;
		// b changed 3 days ago (the same for hours) but was synced 2 hours ago: the third hour changes the badge.
		expect(clockText(['active/b'], snapshot, queue, start)).toBe(clockText(['active/b'], snapshot, queue, start + 30 * minute));
		expect(clockText(['active/b'], snapshot, queue, start)).not.toBe(clockText(['active/b'], snapshot, queue, start + hour));
		expect(clockText(['active/b'], snapshot, undefined, start)).toBe(clockText(['active/b'], snapshot, undefined, start + hour));
	});
});
