/** Processes of the run still alive at its end (a worker's git or rsync, a TUI): each is a finding, then killed. */
import {readdir, readFile} from 'node:fs/promises';
import type {Fixture} from './fixture.js';
import {sleep} from './procs.js';

export async function leftoverProcesses(fixture: Fixture, graceMs = 10_000): Promise<string[]> {
	const until = Date.now() + graceMs;
	let found = await scan(fixture.base);
	while (found.length > 0 && Date.now() < until) {
		await sleep(500);
		found = await scan(fixture.base);
	}

	for (const {pid} of found) {
		try {
			process.kill(pid, 'SIGKILL');
		} catch {}
	}

	return found.map(({pid, cmdline}) => `process ${pid} of the run still running at the end: ${cmdline}`);
}

/** Processes other than this one whose command line or working folder is inside `base`. */
async function scan(base: string): Promise<Array<{pid: number; cmdline: string}>> {
	const found: Array<{pid: number; cmdline: string}> = [];
	for (const entry of await readdir('/proc')) {
		const pid = Number(entry);
		if (!Number.isInteger(pid) || pid === process.pid) continue;
		try {
			const cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').join(' ').trim();
			const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
			// Zombies wait for their parent to reap them: not running.
			if (/\) Z /.test(stat) || cmdline === '') continue;
			if (cmdline.includes(base)) found.push({pid, cmdline});
		} catch {}
	}

	return found;
}
