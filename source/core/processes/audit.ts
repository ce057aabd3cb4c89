import {appendJsonl} from '../store.js';
import type {Requester} from './types.js';

/** One line of .cws/audit.log for a signal sent, or refused before sending. */
export type SignalAuditRecord = {
	type: 'signal';
	/** ISO time. */
	time: string;
	pid: number;
	/** Start time the target had when chosen (clock ticks after boot on Linux). */
	startTime: number;
	command: string;
	signal: NodeJS.Signals;
	/** 'group': sent to the process group `pid` leads, with its `members`. */
	scope: 'process' | 'group';
	members?: Array<{pid: number; startTime: number}>;
	/** 'delivered', 'refused' (never sent: protected or pid reused), or the errno of kill(2) (ESRCH, EPERM). */
	result: 'delivered' | 'refused' | string;
	/** Why it was refused. */
	reason?: string;
	requestedBy: Requester;
};

/** Where audit records go; the default appends to the workspace's audit.log with fsync. */
export type AuditSink = (record: SignalAuditRecord) => Promise<void>;

/** An AuditSink appending JSONL to `file` (one O_APPEND write per record, fsynced). */
export function auditLog(file: string): AuditSink {
	return async record => appendJsonl(file, record, {fsync: true});
}
