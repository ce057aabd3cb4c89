import {bootTime, listPids, pageSize, procOwner, readProcFile, readProcLink, readStat} from './proc-fs.js';
import {CLOCK_TICKS, parseCmdline, programName, stripDeleted} from './proc-stat.js';
import type {ProcessInfo} from './types.js';
import {userName} from './users.js';

const ownUid = process.getuid?.() ?? -1;

/** A process as read from /proc, before CPU% is known. */
export type RawProcess = Omit<ProcessInfo, 'cpuPercent'>;

/**
 * Reads every process visible in /proc. A process that exits while being
 * read is left out; fields the kernel hides from us (exe and cwd of another
 * user's process) are null rather than guessed.
 */
export function readLinuxProcesses(): RawProcess[] {
	const boot = bootTime();
	const page = pageSize();
	const processes: RawProcess[] = [];
	for (const pid of listPids()) {
		const process = readLinuxProcess(pid, boot, page);
		if (process) {
			processes.push(process);
		}
	}

	return processes;
}

/** Reads one process; undefined when it is gone. */
export function readLinuxProcess(pid: number, boot = bootTime(), page = pageSize()): RawProcess | undefined {
	const stat = readStat(pid);
	const uid = procOwner(pid);
	if (stat === undefined || uid === undefined) {
		return undefined;
	}

	// Kernel threads have no command line, executable or cwd, and the
	// kernel refuses another user's exe and cwd to non-root; skipping those
	// reads saves a failing syscall and a thrown error each.
	const kernelThread = pid === 2 || stat.ppid === 2;
	const inspectable = !kernelThread && (uid === ownUid || ownUid === 0);
	const cmdline = kernelThread ? undefined : readProcFile(`/proc/${pid}/cmdline`, 'utf8');
	const argv = cmdline === undefined ? [] : parseCmdline(cmdline);
	const exeLink = inspectable ? readProcLink(`/proc/${pid}/exe`) : undefined;
	const exe = exeLink === undefined ? undefined : stripDeleted(exeLink);
	const cwdLink = inspectable ? readProcLink(`/proc/${pid}/cwd`) : undefined;
	return {
		pid,
		ppid: stat.ppid,
		pgid: stat.pgid,
		uid,
		user: userName(uid),
		startTime: stat.startTime,
		startedAt: Math.round((boot + stat.startTime / CLOCK_TICKS) * 1000),
		state: stat.state,
		comm: stat.comm,
		argv,
		command: argv.length > 0 ? argv.join(' ') : `[${stat.comm}]`,
		name: programName(argv, stat.comm),
		exe: exe?.path ?? null,
		exeDeleted: exe?.deleted ?? false,
		cwd: cwdLink === undefined ? null : stripDeleted(cwdLink).path,
		rssBytes: stat.rssPages * page,
		cpuTicks: stat.cpuTicks,
	};
}
