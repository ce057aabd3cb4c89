import type {BoardListing, MissingProject, ProjectCard} from '../../../core/board/index.js';
import {STAGES, type Stage} from '../../../core/paths.js';

/**
 * One stage column as the board shows it: the cards that pass the filter,
 * then the projects recorded in this stage whose folder is gone.
 */
export type BoardColumn = {
	stage: Stage;
	cards: readonly ProjectCard[];
	missing: readonly MissingProject[];
	/** Projects in the stage before the filter. */
	total: number;
};

/** One row of a column: a project folder, or a record whose folder is missing. */
export type BoardItem =
	| {kind: 'card'; key: string; name: string; stage: Stage; card: ProjectCard}
	| {kind: 'missing'; key: string; name: string; stage: Stage; missing: MissingProject};

/** Key of a missing project's row (no '/', so it never equals a card key). */
export const missingKey = (name: string): string => `missing:${name}`;

const isStage = (value: unknown): value is Stage => (STAGES as readonly unknown[]).includes(value);

/** Four empty columns, before the first listing. */
export function emptyColumns(): BoardColumn[] {
	return STAGES.map(stage => ({stage, cards: [], missing: [], total: 0}));
}

/**
 * Splits a listing into the four columns, keeping the cards whose name
 * contains `filter` (case-insensitive). One pass over the cards; runs when
 * the listing or the filter changes, never per key press.
 */
export function buildColumns(listing: BoardListing, filter: string): BoardColumn[] {
	const wanted = filter.trim().toLowerCase();
	const cards = new Map<Stage, ProjectCard[]>(STAGES.map(stage => [stage, []]));
	const missing = new Map<Stage, MissingProject[]>(STAGES.map(stage => [stage, []]));
	const totals = new Map<Stage, number>(STAGES.map(stage => [stage, 0]));
	for (const card of listing.cards) {
		totals.set(card.stage, totals.get(card.stage)! + 1);
		if (wanted === '' || card.name.includes(wanted)) cards.get(card.stage)!.push(card);
	}

	for (const project of listing.missing) {
		if (!isStage(project.recorded)) continue;
		totals.set(project.recorded, totals.get(project.recorded)! + 1);
		if (wanted === '' || project.name.includes(wanted)) missing.get(project.recorded)!.push(project);
	}

	return STAGES.map(stage => ({stage, cards: cards.get(stage)!, missing: missing.get(stage)!, total: totals.get(stage)!}));
}

/** Rows in a column. */
export function columnLength(column: BoardColumn): number {
	return column.cards.length + column.missing.length;
}

/** The row at `index`, or undefined past the end. */
export function itemAt(column: BoardColumn, index: number): BoardItem | undefined {
	const card = column.cards[index];
	if (card) return {kind: 'card', key: card.key, name: card.name, stage: column.stage, card};
	const missing = column.missing[index - column.cards.length];
	if (index >= column.cards.length && missing) return {kind: 'missing', key: missingKey(missing.name), name: missing.name, stage: column.stage, missing};
	return undefined;
}

/** Key of the row at `index`, without building the row. */
export function keyAt(column: BoardColumn, index: number): string | undefined {
	const card = column.cards[index];
	if (card) return card.key;
	const missing = column.missing[index - column.cards.length];
	return index >= column.cards.length && missing ? missingKey(missing.name) : undefined;
}

/**
 * Index of the row with `key`, or -1. Tries `hint` first: between two
 * refreshes a selected row almost always stays where it was, so the common
 * case costs one comparison instead of a scan.
 */
export function indexOfKey(column: BoardColumn, key: string, hint: number): number {
	if (keyAt(column, hint) === key) return hint;
	if (key.startsWith('missing:')) {
		const index = column.missing.findIndex(project => missingKey(project.name) === key);
		return index < 0 ? -1 : column.cards.length + index;
	}

	return column.cards.findIndex(card => card.key === key);
}

/** Index of the row named `name` (card or missing record), or -1. */
export function indexOfName(column: BoardColumn, name: string): number {
	const index = column.cards.findIndex(card => card.name === name);
	if (index >= 0) return index;
	const missing = column.missing.findIndex(project => project.name === name);
	return missing < 0 ? -1 : column.cards.length + missing;
}
