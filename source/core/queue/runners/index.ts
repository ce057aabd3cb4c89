import type {CustomTarget, ExportTarget, GitTarget, RsyncTarget} from '../types.js';
import {runExport} from './export.js';
import {runGitPush} from './git.js';
import {runRsync} from './rsync.js';
import type {Runner} from './types.js';

/** One runner per built-in kind, plus named runners for `custom` targets. */
export type RunnerTable = {
	git: Runner<GitTarget>;
	rsync: Runner<RsyncTarget>;
	export: Runner<ExportTarget>;
	custom: Record<string, Runner<CustomTarget>>;
};

export const DEFAULT_RUNNERS: RunnerTable = {git: runGitPush, rsync: runRsync, export: runExport, custom: {}};

export {runExport} from './export.js';
export {runGitPush} from './git.js';
export {runRsync, parseRsyncDest} from './rsync.js';
export type {RunContext, Runner} from './types.js';
