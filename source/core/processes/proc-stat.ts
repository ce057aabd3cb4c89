/** The fields of /proc/<pid>/stat that the listing and the identity check use. */
export type ProcStat = {
	pid: number;
	comm: string;
	state: string;
	ppid: number;
	pgid: number;
	sid: number;
	/** utime + stime, clock ticks. */
	cpuTicks: number;
	/** Field 22: clock ticks after boot. */
	startTime: number;
	/** Resident pages. */
	rssPages: number;
};

/** Clock ticks per second of /proc times (USER_HZ, 100 on every Linux we run on). */
export const CLOCK_TICKS = 100;

/**
 * Parses the text of /proc/<pid>/stat. The command name (field 2) sits in
 * parentheses and may itself hold spaces and parentheses, so the fields
 * after it are found from the LAST ')' in the line, never by splitting the
 * whole line. Returns undefined for text that is not a stat line.
 */
export function parseProcStat(text: string): ProcStat | undefined {
	const open = text.indexOf('(');
	const close = text.lastIndexOf(')');
	if (open <= 0 || close < open) {
		return undefined;
	}

	const pid = Number(text.slice(0, open).trim());
	// Field 3 onward: rest[0] is field 3, so field n is rest[n - 3].
	const rest = text.slice(close + 2).trimEnd().split(' ');
	if (!Number.isInteger(pid) || rest.length < 22) {
		return undefined;
	}

	const field = (n: number): number => Number(rest[n - 3]);
	const parsed: ProcStat = {
		pid,
		comm: text.slice(open + 1, close),
		state: rest[0] ?? '?',
		ppid: field(4),
		pgid: field(5),
		sid: field(6),
		cpuTicks: field(14) + field(15),
		startTime: field(22),
		rssPages: field(24),
	};
	const numbers = [parsed.ppid, parsed.pgid, parsed.sid, parsed.cpuTicks, parsed.startTime, parsed.rssPages];
	return numbers.every(Number.isFinite) ? parsed : undefined;
}

/** Splits /proc/<pid>/cmdline (NUL-separated, usually NUL-terminated) into argv. */
export function parseCmdline(text: string): string[] {
	if (text === '') {
		return [];
	}

	// One NUL ends every argument, the last one included; anything before a
	// final NUL is an argument, even an empty one (`prog --name ''`).
	return (text.endsWith('\0') ? text.slice(0, -1) : text).split('\0');
}

const DELETED_SUFFIX = ' (deleted)';

/**
 * The kernel appends " (deleted)" to /proc/<pid>/exe and cwd links whose
 * file was removed or replaced (a package upgrade replaces /usr/bin/bash
 * under every running shell). The path is still the program's identity.
 */
export function stripDeleted(link: string): {path: string; deleted: boolean} {
	return link.endsWith(DELETED_SUFFIX)
		? {path: link.slice(0, -DELETED_SUFFIX.length), deleted: true}
		: {path: link, deleted: false};
}

/** Basename of argv[0] the way a person names the program: '-bash' → 'bash'. */
export function programName(argv: readonly string[], comm: string): string {
	const first = argv[0];
	if (first === undefined || first === '') {
		return comm;
	}

	const base = first.slice(first.lastIndexOf('/') + 1);
	const name = base.startsWith('-') ? base.slice(1) : base;
	return name === '' ? comm : name;
}
