import {CwsError} from '../errors.js';
import {programName} from './proc-stat.js';
import type {RawProcess} from './linux-reader.js';

/** Runs ps/lsof; injectable so the parsing can be exercised on any system. */
export type CommandRunner = (file: string, args: string[]) => Promise<string>;

const runCommand: CommandRunner = async (file, args) => {
	const {execa} = await import('execa');
	const result = await execa(file, args, {timeout: 10_000, reject: false, env: {LC_ALL: 'C'}});
	// lsof exits 1 when some processes could not be inspected; its output is still good.
	if (result.failed && result.stdout === '') {
		throw new CwsError('PROCESS_LIST_FAILED', `\`${file}\` failed: ${result.shortMessage}`, {
			hint: 'Check that ps and lsof are installed and on PATH.',
		});
	}

	return result.stdout;
};

const FIELDS = 'pid=,ppid=,pgid=,uid=,user=,state=,rss=,time=,lstart=';
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * macOS has no /proc: the listing comes from `ps` (fields and full command
 * line), `ps -o comm` (executable path) and `lsof -d cwd` (working
 * directories). Start time has one-second resolution there, which is still
 * enough to tell a reused pid from the original.
 */
export async function readDarwinProcesses(run: CommandRunner = runCommand): Promise<RawProcess[]> {
	const [table, comms, cwds] = await Promise.all([
		run('ps', ['-axww', '-o', `${FIELDS},args=`]),
		run('ps', ['-axww', '-o', 'pid=,comm=']),
		run('lsof', ['-nP', '-a', '-d', 'cwd', '-F', 'pn', '-u', String(process.getuid?.() ?? 0)]),
	]);
	const exeByPid = parsePidColumn(comms);
	const cwdByPid = parseLsofCwd(cwds);
	const processes: RawProcess[] = [];
	for (const line of table.split('\n')) {
		const row = parsePsLine(line);
		if (row) {
			const exe = exeByPid.get(row.pid);
			processes.push({
				...row,
				exe: exe?.startsWith('/') ? exe : null,
				cwd: cwdByPid.get(row.pid) ?? null,
			});
		}
	}

	return processes;
}

/** Parses one line of `ps -o pid=,ppid=,pgid=,uid=,user=,state=,rss=,time=,lstart=,args=`. */
export function parsePsLine(line: string): Omit<RawProcess, 'exe' | 'cwd'> | undefined {
	const parts = line.trim().split(/\s+/);
	if (parts.length < 13) {
		return undefined;
	}

	const [pid, ppid, pgid, uid, user, state, rss, time, , month, day, clock, year] = parts;
	// lstart is local time: 'Tue Nov 25 01:06:00 2026'.
	const startedAt = new Date(`${year}-${pad(MONTHS.indexOf(month ?? '') + 1)}-${pad(Number(day))}T${clock}`).getTime();
	if (!Number.isInteger(Number(pid)) || Number.isNaN(startedAt)) {
		return undefined;
	}

	const argv = parts.slice(13);
	const comm = argv[0]?.slice(argv[0].lastIndexOf('/') + 1) ?? '';
	return {
		pid: Number(pid),
		ppid: Number(ppid),
		pgid: Number(pgid),
		uid: Number(uid),
		user: user ?? String(uid),
		startTime: Math.round(startedAt / 1000),
		startedAt,
		state: (state ?? '?').charAt(0),
		comm,
		argv,
		command: argv.join(' '),
		name: programName(argv, comm),
		exeDeleted: false,
		rssBytes: Number(rss) * 1024,
		cpuTicks: Math.round(parseCpuTime(time ?? '0') * 100),
	};
}

/** `[[dd-]hh:]mm:ss[.cc]` → seconds. */
export function parseCpuTime(text: string): number {
	const [days, rest] = text.includes('-') ? text.split('-') : ['0', text];
	const units = (rest ?? '0').split(':').map(Number).reverse();
	const seconds = (units[0] ?? 0) + (units[1] ?? 0) * 60 + (units[2] ?? 0) * 3600;
	return seconds + Number(days) * 86_400;
}

function parsePidColumn(text: string): Map<number, string> {
	const map = new Map<number, string>();
	for (const line of text.split('\n')) {
		const match = /^\s*(\d+)\s+(.*)$/.exec(line);
		if (match) {
			map.set(Number(match[1]), match[2] ?? '');
		}
	}

	return map;
}

/** lsof -F pn output: 'p<pid>' starts a process, 'n<path>' names its cwd. */
export function parseLsofCwd(text: string): Map<number, string> {
	const map = new Map<number, string>();
	let pid: number | undefined;
	for (const line of text.split('\n')) {
		if (line.startsWith('p')) {
			pid = Number(line.slice(1));
		} else if (line.startsWith('n') && pid !== undefined) {
			map.set(pid, line.slice(1));
		}
	}

	return map;
}

function pad(value: number): string {
	return String(value).padStart(2, '0');
}
