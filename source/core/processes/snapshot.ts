import type {Stage} from '../paths.js';
import {countByProject, type Attributor} from './attribution.js';
import {ancestorsOf, protectionOf, type Guard, type Protection} from './protection.js';
import type {ProcessInfo} from './types.js';

/** A listed process with where it works and whether it may be stopped. */
export type ProcessEntry = ProcessInfo & {
	/** cwd is inside the workspace root. */
	inWorkspace: boolean;
	/** `<stage>/<name>` of the project it works in, or null. */
	project: string | null;
	stage: Stage | null;
	protection: Protection;
	/** Leads its own process group (pgid = pid) with other live members: can be stopped as a group. */
	groupSize: number;
};

/** Which processes a listing shows. */
export const SCOPES = ['workspace', 'mine', 'all'] as const;
export type Scope = (typeof SCOPES)[number];

/** One listing, ready for the pane, `cws ps` and board cards. */
export type ProcessSnapshot = {
	/** ms since the epoch. */
	takenAt: number;
	/** Entries in the requested scope, by pid. */
	entries: ProcessEntry[];
	/** Running processes per project id (`<stage>/<name>`), counting the whole workspace whatever the scope. */
	projectCounts: Map<string, number>;
	/** How long reading and classifying took, ms (shown in the pane's footer when asked). */
	costMs: number;
};

/** Builds entries from a full listing; `guard.ancestors` is filled from the listing when empty. */
export function buildSnapshot(processes: ProcessInfo[], attributor: Attributor, guard: Guard, scope: Scope, takenAt: number, costMs: number): ProcessSnapshot {
	const byPid = new Map(processes.map(process => [process.pid, process]));
	const ancestors = guard.ancestors.size > 0 ? guard.ancestors : ancestorsOf(guard.selfPid, pid => byPid.get(pid)?.ppid);
	const groupSizes = new Map<number, number>();
	for (const process of processes) {
		if (process.state !== 'Z') {
			groupSizes.set(process.pgid, (groupSizes.get(process.pgid) ?? 0) + 1);
		}
	}

	const entries: ProcessEntry[] = [];
	const attributions = [];
	for (const process of processes) {
		const attribution = attributor.attribute(process);
		attributions.push(attribution);
		const visible = scope === 'all' || (scope === 'mine' ? process.uid === guard.uid : attribution.inWorkspace);
		if (visible) {
			entries.push({
				...process,
				...attribution,
				protection: protectionOf(process, {...guard, ancestors}),
				groupSize: process.pgid === process.pid ? (groupSizes.get(process.pid) ?? 1) : 0,
			});
		}
	}

	entries.sort((a, b) => a.pid - b.pid);
	return {takenAt, entries, projectCounts: countByProject(attributions), costMs};
}
