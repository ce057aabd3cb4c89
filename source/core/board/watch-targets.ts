import fsSync from 'node:fs';
import path from 'node:path';
import {STAGES, type WorkspacePaths} from '../paths.js';
import type {GitState} from './git.js';
import type {ProjectCard} from './listing.js';
import type {BoardWatch, WatchTarget} from './watcher.js';

/** Folders of one project watched at most; a bigger tree is watched in part and polled as before. */
export const CARD_DIRS_MAX = 16;

/**
 * What the listing is made of: the workspace root (a stage folder made or
 * replaced), the stage folders (a project added, removed or renamed),
 * .cws (state.json and config.json are replaced by rename) and the archive.
 */
export function listingTargets(paths: WorkspacePaths): WatchTarget[] {
	return [
		{dir: paths.root, names: [...STAGES, path.basename(paths.meta)]},
		...STAGES.map(stage => ({dir: paths.stageDir[stage]})),
		{dir: paths.meta, names: [path.basename(paths.state), path.basename(paths.config), path.basename(paths.archive)]},
		{dir: paths.archive},
	];
}

/**
 * What one card on screen is made of: the folders its last walk went
 * through (an edit, a new or removed file in any of them) and its
 * repository's folders where `git status` can change without an edit
 * (HEAD, index and FETCH_HEAD in .git, a commit in logs and the branch's
 * ref folder, a push in the upstream's). `required` are the folders that
 * must be watched for the card to need no polling; undefined when it
 * cannot be covered (not walked yet, a tree bigger than CARD_DIRS_MAX, a
 * .git file pointing elsewhere).
 */
export function cardTargets(card: ProjectCard, walked: readonly string[] | undefined, git: GitState | undefined): {targets: WatchTarget[]; required: string[] | undefined} {
	const content = (walked ?? ['']).slice(0, CARD_DIRS_MAX).map(relative => relative === '' ? card.dir : path.join(card.dir, relative));
	const targets: WatchTarget[] = content.map(dir => ({dir, card: card.key}));
	let complete = walked !== undefined && walked.length <= CARD_DIRS_MAX;
	const required = [...content];
	const gitDir = path.join(card.dir, '.git');
	const stat = fsSync.lstatSync(gitDir, {throwIfNoEntry: false});
	if (stat?.isDirectory()) {
		required.push(gitDir);
		const refs = [path.join(gitDir, 'logs'), path.join(gitDir, 'refs', 'heads')];
		if (git?.kind === 'repo') {
			if (git.branch !== null) refs.push(path.dirname(path.join(gitDir, 'refs', 'heads', git.branch)));
			if (git.upstream !== null) refs.push(path.dirname(path.join(gitDir, 'refs', 'remotes', git.upstream)));
		}

		for (const dir of [gitDir, ...new Set(refs)]) targets.push({dir, card: card.key});
	} else if (stat) {
		// A .git file (a worktree or submodule): the repository lives elsewhere.
		complete = false;
	}

	return {targets, required: complete ? required : undefined};
}

/**
 * Watches the listing's folders and those of `cards` (the cards on screen,
 * each card's own folders first, so a limit leaves whole cards unwatched);
 * says whether the whole listing is watched and which cards are.
 */
export function armBoard(watch: BoardWatch, paths: WorkspacePaths, cards: readonly ProjectCard[], scanner: {walkedDirs(dir: string): string[] | undefined; lastGit(dir: string): GitState | undefined}): {listingWatched: boolean; covered: Set<string>} {
	const listing = listingTargets(paths);
	const wanted = cards.map(card => ({card, ...cardTargets(card, scanner.walkedDirs(card.dir), scanner.lastGit(card.dir))}));
	const watched = watch.arm([...listing, ...wanted.flatMap(({targets}) => targets)]);
	// A missing stage folder or archive is fine: its parent is watched and tells when it appears.
	const listingWatched = watched.has(paths.root) && watched.has(paths.meta) && listing.every(({dir}) => watched.has(dir) || !fsSync.existsSync(dir));
	const covered = new Set(wanted.filter(({required}) => required?.every(dir => watched.has(dir))).map(({card}) => card.key));
	return {listingWatched, covered};
}
