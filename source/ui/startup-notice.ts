import type {UncleanSession} from '../core/session.js';
import type {SweepReport} from '../core/sweep.js';

/** 'YYYY-MM-DD HH:MM', local time. */
const when = (iso: string): string => {
	const date = new Date(iso);
	if (Number.isNaN(date.getTime())) return iso;
	const pad = (value: number) => String(value).padStart(2, '0');
	return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
};

/** One line per kind of thing the start-up sweep did, e.g. 'removed 2 temp files'. */
export function recoveryActions(sweep: SweepReport | undefined): string[] {
	if (!sweep) return [];
	const count = (kinds: string[]) => sweep.removed.filter(finding => kinds.includes(finding.kind)).length;
	const actions: string[] = [];
	const temps = count(['orphan-temp']);
	const locks = count(['stale-lock', 'dead-holder-lock', 'orphan-lock-owner']);
	if (temps > 0) actions.push(`removed ${temps} unfinished temp file${temps === 1 ? '' : 's'}`);
	if (locks > 0) actions.push(`recovered ${locks} lock${locks === 1 ? '' : 's'} of dead processes`);
	if (sweep.failed.length > 0) actions.push(`could not clean ${sweep.failed.length} leftover${sweep.failed.length === 1 ? '' : 's'} (see cws verify)`);
	return actions;
}

/**
 * The banner for previous sessions that did not end through cexit or a
 * signal: when they were last seen and what recovery did.
 */
export function uncleanNotice(unclean: readonly UncleanSession[], actions: readonly string[]): string[] {
	if (unclean.length === 0) return [];
	const last = unclean.at(-1)!;
	const lines = [
		unclean.length === 1
			? `The previous session did not end cleanly: pid ${last.pid}, started ${when(last.startedAt)}, last seen ${when(last.lastSeen)}.`
			: `${unclean.length} previous sessions did not end cleanly; the last was seen ${when(last.lastSeen)}.`,
		actions.length > 0 ? `Recovery: ${actions.join('; ')}.` : 'Recovery: nothing was left behind to repair.',
	];
	return lines;
}
