import {STAGES, type Stage} from '../paths.js';
import {SchemaError} from '../store.js';
import {JOB_REASONS, JOB_STATES, type Job, type JobError, type Lease} from './types.js';
import {isRecord, parseTarget, PROJECT_NAME} from './validate.js';

/** Validates a job payload. */
export function parseJob(payload: unknown, id: string): Job {
	if (!isRecord(payload)) {
		throw new SchemaError('a job must be an object');
	}

	const p = payload;
	const text = (key: string) => {
		if (typeof p[key] !== 'string') {
			throw new SchemaError(`${key}: must be a string`);
		}

		return p[key] as string;
	};

	const count = (key: string, optional = false): number => {
		const value = p[key];
		if (optional && value === undefined) {
			return Number.NaN;
		}

		if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
			throw new SchemaError(`${key}: must be a non-negative number`);
		}

		return value;
	};

	if (text('id') !== id) {
		throw new SchemaError(`id: ${JSON.stringify(p['id'])} does not match the file name ${id}`);
	}

	const project = text('project');
	if (!PROJECT_NAME.test(project)) {
		throw new SchemaError(`project: ${JSON.stringify(project)} is not a valid project name`);
	}

	const state = text('state');
	if (!(JOB_STATES as readonly string[]).includes(state)) {
		throw new SchemaError(`state: must be one of ${JOB_STATES.join(', ')}`);
	}

	const reason = text('reason');
	if (!(JOB_REASONS as readonly string[]).includes(reason)) {
		throw new SchemaError(`reason: must be one of ${JOB_REASONS.join(', ')}`);
	}

	const stage = p['stage'];
	if (stage !== undefined && !(STAGES as readonly string[]).includes(stage as string)) {
		throw new SchemaError('stage: must be a stage');
	}

	let target;
	try {
		target = parseTarget(p['target'], 'target');
	} catch (error) {
		throw new SchemaError((error as Error).message);
	}

	const job: Job = {
		id,
		project,
		stage: stage as Stage | undefined,
		target,
		reason: reason as Job['reason'],
		state: state as Job['state'],
		attempt: count('attempt'),
		maxAttempts: count('maxAttempts'),
		claim: count('claim'),
		createdAt: count('createdAt'),
		updatedAt: count('updatedAt'),
		dueAt: count('dueAt'),
	};
	for (const key of ['firstStartedAt', 'startedAt', 'finishedAt'] as const) {
		const value = count(key, true);
		if (!Number.isNaN(value)) {
			job[key] = value;
		}
	}

	if (p['lease'] !== undefined) {
		job.lease = parseLease(p['lease']);
	}

	if (p['cancelRequested'] === true) {
		job.cancelRequested = true;
	}

	if (p['lastError'] !== undefined) {
		job.lastError = parseError(p['lastError']);
	}

	if (p['resolution'] !== undefined) {
		if (!Array.isArray(p['resolution']) || p['resolution'].some(line => typeof line !== 'string')) {
			throw new SchemaError('resolution: must be a list of strings');
		}

		job.resolution = p['resolution'] as string[];
	}

	if (p['result'] !== undefined) {
		const result = p['result'];
		if (!isRecord(result) || typeof result['message'] !== 'string' || (result['head'] !== undefined && typeof result['head'] !== 'string')) {
			throw new SchemaError('result: must be {message, head?}');
		}

		job.result = result['head'] === undefined ? {message: result['message']} : {message: result['message'], head: result['head'] as string};
	}

	return job;
}

function parseLease(value: unknown): Lease {
	if (!isRecord(value) || typeof value['worker'] !== 'string' || typeof value['host'] !== 'string'
		|| typeof value['pid'] !== 'number' || typeof value['startTime'] !== 'string' || typeof value['claimedAt'] !== 'number') {
		throw new SchemaError('lease: must be {worker, host, pid, startTime, claimedAt}');
	}

	return {worker: value['worker'], host: value['host'], pid: value['pid'], startTime: value['startTime'], claimedAt: value['claimedAt']};
}

function parseError(value: unknown): JobError {
	if (!isRecord(value) || typeof value['code'] !== 'string' || typeof value['message'] !== 'string') {
		throw new SchemaError('lastError: must be {code, message, hint?}');
	}

	return typeof value['hint'] === 'string'
		? {code: value['code'], message: value['message'], hint: value['hint']}
		: {code: value['code'], message: value['message']};
}
