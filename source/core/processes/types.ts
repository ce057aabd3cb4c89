/** One live process as the listing sees it. */
export type ProcessInfo = {
	pid: number;
	ppid: number;
	/** Process group id; a process with `pgid === pid` leads its group. */
	pgid: number;
	/** Real user id of the process. */
	uid: number;
	/** Login name for `uid`, or the number as text when /etc/passwd does not name it. */
	user: string;
	/**
	 * Identity of this incarnation of `pid`: clock ticks after boot on Linux
	 * (/proc/<pid>/stat field 22), seconds since the epoch on macOS. A pid
	 * whose start time changed is another process.
	 */
	startTime: number;
	/** Wall-clock start, milliseconds since the epoch. */
	startedAt: number;
	/** Kernel state letter: R running, S sleeping, D disk wait, Z zombie, T stopped, I idle … */
	state: string;
	/** Kernel's short name (15 chars on Linux). */
	comm: string;
	/** Arguments as the process shows them; empty for kernel threads. */
	argv: string[];
	/** Command line for display and cmdline rules: argv joined by spaces, or `[comm]` without argv. */
	command: string;
	/** Basename of argv[0] (a login shell's leading '-' removed), else comm. */
	name: string;
	/** Real path of the executable, or null when it cannot be read (another user, kernel thread, gone). */
	exe: string | null;
	/** True when the executable file was deleted or replaced since the process started. */
	exeDeleted: boolean;
	/** Working directory, or null when it cannot be read. */
	cwd: string | null;
	/** Resident memory in bytes. */
	rssBytes: number;
	/** utime + stime in clock ticks (Linux) or CPU seconds × 100 (macOS). */
	cpuTicks: number;
	/**
	 * CPU use in percent of one core: since the previous listing by the same
	 * reader, or averaged over the process's lifetime on a reader's first listing.
	 */
	cpuPercent: number;
};

/** What a stop request names: a pid and the start time it had when it was chosen. */
export type ProcessTarget = {
	pid: number;
	startTime: number;
	/** Command line when chosen, kept for the audit log and messages. */
	command?: string;
};

/** Who asked for a signal; written to the audit log. */
export const REQUESTERS = ['tui', 'cli', 'cexit'] as const;
export type Requester = (typeof REQUESTERS)[number];
