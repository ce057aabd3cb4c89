import type {Stage} from '../paths.js';
import type {ProcessEntry} from './snapshot.js';
import type {ProcessTarget} from './types.js';

/** One stop a cleanup will make: a single process, or a whole group led by `target`. */
export type PlannedStop = {
	scope: 'process' | 'group';
	target: ProcessTarget;
	entry: ProcessEntry;
	/** Every process the stop covers (the leader first for a group). */
	covers: ProcessEntry[];
};

/** What a cleanup would do, computed without side effects; shown before it runs. */
export type CleanupPlan = {
	/** When the listing was taken (ms since the epoch). */
	createdAt: number;
	stops: PlannedStop[];
	/** Workspace processes left alone, each with why. */
	protected: Array<{entry: ProcessEntry; reasons: string[]}>;
};

/** Which workspace processes a shutdown stops: none, all of them, or those of projects in some stages. */
export type ShutdownPolicy =
	| {stop: 'none'}
	| {stop: 'workspace'}
	| {stop: 'stages'; stages: Stage[]};

/**
 * Plans a cleanup of `entries` (a workspace listing): every unprotected
 * workspace process is stopped, protected ones are listed with their
 * reasons. A group leader whose live members are all in the stop list is
 * stopped as a group, which also catches children forked while it winds down.
 */
export function planFromEntries(entries: readonly ProcessEntry[], createdAt: number, include: (entry: ProcessEntry) => boolean = () => true): CleanupPlan {
	const workspace = entries.filter(entry => entry.inWorkspace && include(entry));
	const stoppable = new Map(workspace.filter(entry => !entry.protection.protected).map(entry => [entry.pid, entry]));
	const byGroup = new Map<number, ProcessEntry[]>();
	for (const entry of entries) {
		if (entry.state !== 'Z') {
			byGroup.set(entry.pgid, [...(byGroup.get(entry.pgid) ?? []), entry]);
		}
	}

	const stops: PlannedStop[] = [];
	const covered = new Set<number>();
	for (const entry of stoppable.values()) {
		const members = byGroup.get(entry.pid) ?? [];
		if (entry.pgid === entry.pid && members.length > 1 && members.every(member => stoppable.has(member.pid))) {
			const others = members.filter(member => member.pid !== entry.pid);
			stops.push({scope: 'group', target: targetOf(entry), entry, covers: [entry, ...others]});
			for (const member of members) {
				covered.add(member.pid);
			}
		}
	}

	for (const entry of stoppable.values()) {
		if (!covered.has(entry.pid)) {
			stops.push({scope: 'process', target: targetOf(entry), entry, covers: [entry]});
		}
	}

	return {
		createdAt,
		stops,
		protected: workspace
			.filter(entry => entry.protection.protected)
			.map(entry => ({entry, reasons: entry.protection.reasons.map(reason => reason.text)})),
	};
}

/** The filter a shutdown policy applies to workspace processes. */
export function policyFilter(policy: ShutdownPolicy): (entry: ProcessEntry) => boolean {
	switch (policy.stop) {
		case 'none': {
			return () => false;
		}

		case 'workspace': {
			return () => true;
		}

		case 'stages': {
			const stages = new Set<Stage>(policy.stages);
			return entry => entry.stage !== null && stages.has(entry.stage);
		}
	}
}

/** The identity a stop request carries. */
export function targetOf(entry: ProcessEntry): ProcessTarget {
	return {pid: entry.pid, startTime: entry.startTime, command: entry.command};
}
