import type {BoardAction} from '../../source/commands/board.js';
import type {BoardListing, BoardSnapshot, MissingProject, ProjectCard} from '../../source/core/board/index.js';
import type {Stage} from '../../source/core/paths.js';

/** A card as the scanner makes one for a folder `stage/name`. */
export function card(stage: Stage, name: string, extra: Partial<ProjectCard> = {}): ProjectCard {
	return {
		key: `${stage}/${name}`,
		name,
		stage,
		dir: `/ws/${stage}/${name}`,
		model: 'open-source',
		description: '',
		created: '2026-01-01T00:00:00.000Z',
		recorded: true,
		duplicate: false,
		historyCount: 1,
		notesCount: 0,
		...extra,
	};
}

/** A listing of `stage/name` paths (in stage order, then by name, as the scanner sorts). */
export function listing(paths: string[], missing: MissingProject[] = []): BoardListing {
	const order = ['sandbox', 'active', 'stable', 'public'];
	const cards = paths
		.map(item => item.split('/') as [Stage, string])
		.sort((a, b) => order.indexOf(a[0]) - order.indexOf(b[0]) || (a[1] < b[1] ? -1 : 1))
		.map(([stage, name]) => card(stage, name));
	return {root: '/ws', scannedAt: 1, cards, archived: [], missing, pending: null, problems: [], trashCount: 0};
}

let version = 0;
export function snapshot(value: BoardListing, error?: string): BoardAction {
	version++;
	const shot: BoardSnapshot = {version, listing: value, refreshedAt: 1_000_000 + version, ...(error ? {error} : {})};
	return {type: 'snapshot', snapshot: shot};
}
