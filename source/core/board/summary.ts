import {STAGES, type Stage} from '../paths.js';
import type {BoardListing} from './listing.js';

/** The board in numbers, for `cws status` and the status bar. */
export type BoardSummary = {
	stages: Record<Stage, number>;
	/** Sandbox projects past the retention age (known only when activity was scanned). */
	stale: number;
	archived: number;
	missing: string[];
	trash: number;
	/** An interrupted move waiting to be finished or undone. */
	pending: boolean;
	problems: number;
};

export function summarizeBoard(listing: BoardListing): BoardSummary {
	const stages = Object.fromEntries(STAGES.map(stage => [stage, 0])) as Record<Stage, number>;
	for (const card of listing.cards) {
		stages[card.stage]++;
	}

	return {
		stages,
		stale: listing.cards.filter(card => card.stale === true).length,
		archived: listing.archived.length,
		missing: listing.missing.map(project => project.name),
		trash: listing.trashCount,
		pending: listing.pending !== null,
		problems: listing.problems.length,
	};
}
