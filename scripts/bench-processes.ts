// Measures what one process listing costs: ms of wall and CPU time per
// listing at this machine's process count, then again with ~1,000 extra
// sleeping processes, next to `ps -eo pid,ppid,uid,lstart,rss,args`; and the
// CPU% of a 2 s refresh loop while nothing else happens. CPU figures are
// this process's user+system time plus that of its reaped children (ps).
//
//   node scripts/run-ts.mjs scripts/bench-processes.ts [--extra 1000] [--rounds 20] [--idle 10] [--json]
import {spawn, type ChildProcess} from 'node:child_process';
import {readFileSync} from 'node:fs';
import {mkdtemp, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {parseArgs} from 'node:util';
import {execa} from 'execa';
import {ProcessControl} from '../source/core/processes/index.js';
import {Store} from '../source/core/store.js';
import {initWorkspace} from '../source/core/workspace.js';

const {values} = parseArgs({options: {extra: {type: 'string', default: '1000'}, rounds: {type: 'string', default: '20'}, idle: {type: 'string', default: '10'}, json: {type: 'boolean', default: false}}});
// With --json the figures go to stdout as one JSON document instead of lines of text.
const log = values.json ? () => undefined : (text: string) => console.log(text);
const json: Record<string, unknown> = {};
const extra = Number(values.extra);
const rounds = Number(values.rounds);
const idleSeconds = Number(values.idle);

type Figures = {processes: number; wallMs: number; cpuMs: number};

/** Which part of the run the figures belong to: the machine as it is, or with extra processes. */
let section = 'machine';

/** CPU ms of this process plus its reaped children (ps), from /proc/self/stat. */
function childCpuMs(): number {
	const text = readFileSync('/proc/self/stat', 'latin1');
	const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
	return (Number(fields[13]) + Number(fields[14])) * 10;
}

async function measure(label: string, fn: () => Promise<number>): Promise<Figures> {
	await fn();
	const children = childCpuMs();
	const cpu = process.cpuUsage();
	const wall = performance.now();
	let processes = 0;
	for (let round = 0; round < rounds; round++) {
		processes = await fn();
	}

	const used = process.cpuUsage(cpu);
	const childMs = childCpuMs() - children;
	const figures = {processes, wallMs: (performance.now() - wall) / rounds, cpuMs: ((used.user + used.system) / 1000 + childMs) / rounds};
	json[`${section}: ${label}`] = figures;
	log(`${label.padEnd(36)} ${String(figures.processes).padStart(5)} procs ${figures.wallMs.toFixed(1).padStart(6)} ms wall ${figures.cpuMs.toFixed(1).padStart(6)} ms cpu → ${(figures.cpuMs / 20).toFixed(2)}% of a core at a 2 s refresh`);
	return figures;
}

async function suite(control: ProcessControl): Promise<void> {
	await measure('reader.list (raw /proc)', async () => (await control.reader.list()).length);
	await measure('snapshot all (rules + attribution)', async () => (await control.snapshot('all')).entries.length);
	await measure('snapshot workspace', async () => (await control.snapshot('workspace')).entries.length);
	// CPU includes the ps children (their utime+stime once reaped) and execa's own work.
	await measure('ps -eo pid,ppid,uid,lstart,rss,args', async () => {
		const {stdout} = await execa('ps', ['-eo', 'pid,ppid,uid,lstart,rss,args'], {timeout: 10_000});
		return stdout.split('\n').length - 1;
	});
}

/** CPU% of this process while the pane's refresh runs every 2 s and nothing else happens. */
async function idle(control: ProcessControl, label: string): Promise<void> {
	const cpu = process.cpuUsage();
	const started = performance.now();
	while (performance.now() - started < idleSeconds * 1000) {
		await control.snapshot('workspace');
		await new Promise(resolve => setTimeout(resolve, 2000));
	}

	const used = process.cpuUsage(cpu);
	const share = ((used.user + used.system) / 1000) / (performance.now() - started) * 100;
	json[`idle ${label}`] = {cpuPercent: share};
	log(`Idle, snapshot('workspace') every 2 s for ${idleSeconds} s ${label}: ${share.toFixed(2)}% of one core`);
}

const dir = await mkdtemp(path.join(os.tmpdir(), 'cws-bench-processes-'));
const children: ChildProcess[] = [];
try {
	const {paths} = await initWorkspace(path.join(dir, 'ws'));
	const control = ProcessControl.forWorkspace({paths, store: new Store(paths.meta)});
	log(`Node ${process.version}, ${os.cpus().length} cores, ${rounds} rounds each`);
	log('\nAt this machine\'s process count:');
	await suite(control);

	await idle(control, 'at this machine\'s count');
	log(`\nWith ${extra} extra sleeping processes:`);
	section = `+${extra}`;
	for (let index = 0; index < extra; index++) {
		const child = spawn('sleep', ['600'], {stdio: 'ignore', cwd: paths.root});
		child.on('error', () => undefined);
		children.push(child);
	}

	await new Promise(resolve => setTimeout(resolve, 1500));
	await suite(control);

	await idle(control, `with ${extra} extra`);
	if (values.json) process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
} finally {
	for (const child of children) {
		child.kill('SIGKILL');
	}

	await rm(dir, {recursive: true, force: true});
}
