import {chmod, mkdir} from 'node:fs/promises';
import path from 'node:path';
import {errnoCode} from '../../errors.js';
import {describeFailure} from '../exec.js';
import type {RsyncTarget} from '../types.js';
import {followProject} from './follow.js';
import {dead, done, refuseOptionLike, retry, type Runner} from './types.js';

/** rsync exit code for "some source files vanished while copying": the rest is safe. */
const RSYNC_VANISHED = 24;
/** rsync exit codes that mean a usage or configuration problem retrying cannot fix. */
const RSYNC_PERMANENT = new Set([1, 2, 4]);

/** A destination is remote when a colon comes before any slash (rsync's own rule). */
export function parseRsyncDest(dest: string): {remote: false; path: string} | {remote: true; host: string; path: string} {
	const colon = dest.indexOf(':');
	const slash = dest.indexOf('/');
	if (colon > 0 && (slash === -1 || colon < slash)) {
		return {remote: true, host: dest.slice(0, colon), path: dest.slice(colon + 1)};
	}

	return {remote: false, path: dest};
}

/**
 * Mirrors the project folder, .git included, to the destination:
 * `rsync -a --delete-after --protect-args -e 'ssh -o BatchMode=yes' [--exclude=…] -- src/ dest`.
 * --delete-after removes files gone from the project only once the transfer
 * succeeded, so an interrupted run never leaves a half-deleted backup.
 * A project moved mid-copy is copied again from its new place, so a copy
 * cut short by the move is never reported as a backup (see followProject).
 */
export const runRsync: Runner<RsyncTarget> = followProject(async (target, context) => {
	const dest = parseRsyncDest(target.dest);
	const refused = refuseOptionLike({destination: target.dest, 'destination host': dest.remote ? dest.host : undefined}, context.project);
	if (refused) {
		return refused;
	}

	if (!dest.remote) {
		if (!path.isAbsolute(dest.path)) {
			return dead('BAD_DEST', `Backup destination ${target.dest} of ${context.project} is not an absolute path.`,
				'Use an absolute path or host:path in .cws/config.json.');
		}

		// rsync creates only the last folder; make the backup root too, private.
		await mkdir(path.dirname(dest.path), {recursive: true, mode: 0o700});
	}

	const argv = [
		'rsync', '-a', '--delete-after', '--protect-args',
		'-e', 'ssh -o BatchMode=yes',
		...target.excludes.map(pattern => `--exclude=${pattern}`),
		'--', `${context.projectDir}/`, target.dest,
	];
	const result = await context.run(argv, {cwd: context.projectDir});
	if (!dest.remote && result.exitCode === 0) {
		// The copy is good either way; a backup others can read is worth a note in the job log, not a failed job.
		await chmod(dest.path, 0o700).catch(async (error: unknown) =>
			context.note(`The backup folder ${dest.path} could not be made private (${errnoCode(error) ?? String(error)}); check its permissions.`));
	}

	if (result.exitCode === 0 && !result.timedOut) {
		return done(`Backed up to ${target.dest}.`);
	}

	if (result.exitCode === RSYNC_VANISHED && !result.timedOut) {
		await context.note('Some files vanished during the copy (they were being changed); the rest is backed up.');
		return done(`Backed up to ${target.dest} (some files changed during the copy).`);
	}

	if (result.exitCode !== undefined && RSYNC_PERMANENT.has(result.exitCode)) {
		return dead('RSYNC_USAGE', `rsync refused the backup of ${context.project} to ${target.dest}: ${describeFailure(result)}`,
			'Check the destination and the excludes of this target in .cws/config.json, then retry the job.');
	}

	return retry(result.timedOut ? 'TIMEOUT' : 'RSYNC_FAILED', `Backup of ${context.project} to ${target.dest} failed: ${describeFailure(result)}`,
		dest.remote ? `Check that ${dest.host} is reachable with \`ssh -o BatchMode=yes ${dest.host}\`; the job retries with backoff.` : 'Check that the destination is mounted and writable; the job retries with backoff.');
});
