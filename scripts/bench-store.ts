// Throughput of Store.update next to bare write-file-atomic writes of the
// same bytes, in one process and in 8 processes sharing one file.
//
//   npm run bench:store -- [--seconds 3] [--dir /some/where] [--bytes 1024,65536] [--json]
//
// Each cell runs for a fixed time and counts completed operations; the
// 8-process cells start all workers at the same instant and sum their counts.
// A cell's time is cut into slices of about a second, and the slices of the
// raw writes and of the updates alternate (raw, update, then update, raw),
// so that both sides of a ratio see the same load on a shared machine
// instead of one side running while another process happened to be busy.
import {fork} from 'node:child_process';
import {mkdtemp, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {parseArgs} from 'node:util';
import writeFileAtomic from 'write-file-atomic';
import {encodeEnvelope} from '../source/core/envelope.js';
import {SchemaError, Store, type StateSpec} from '../source/core/store.js';

type Payload = {n: number; pad: string};
type Mode = 'raw' | 'update';

const spec: StateSpec<Payload> = {
	name: 'bench.json',
	version: 1,
	parse(payload) {
		if (typeof (payload as Payload)?.n !== 'number') {
			throw new SchemaError('n: expected a number');
		}

		return payload as Payload;
	},
	initial: () => ({n: 0, pad: ''}),
};

/** A payload whose envelope is about `bytes` long. */
function payloadOf(bytes: number, n: number): Payload {
	return {n, pad: 'x'.repeat(Math.max(0, bytes - 160))};
}

/** Runs one kind of operation until `endAt` (ms since epoch); returns how many completed. */
async function work(mode: Mode, dir: string, bytes: number, startAt: number, endAt: number): Promise<number> {
	const store = new Store(path.join(dir, '.cws'));
	const file = path.join(dir, 'raw.json');
	const text = encodeEnvelope(payloadOf(bytes, 1), {version: 1, generation: 1});
	await new Promise(resolve => setTimeout(resolve, Math.max(0, startAt - Date.now())));
	let count = 0;
	while (Date.now() < endAt) {
		if (mode === 'raw') {
			await writeFileAtomic(file, text, {mode: 0o600});
		} else {
			await store.update(spec, current => payloadOf(bytes, current.n + 1));
		}

		count++;
	}

	return count;
}

/** Runs one slice of a cell; returns how many operations completed in `seconds`. */
async function cell(mode: Mode, bytes: number, processes: number, seconds: number, base: string): Promise<number> {
	const dir = await mkdtemp(path.join(base, `cws-bench-${mode}-`));
	try {
		const startAt = Date.now() + 600; // time for the workers to start
		const endAt = startAt + (seconds * 1000);
		if (processes === 1) {
			return await work(mode, dir, bytes, startAt, endAt);
		}

		const counts = await Promise.all(Array.from({length: processes}, async () => new Promise<number>((resolve, reject) => {
			const child = fork(process.argv[1]!, ['--worker', mode, dir, String(bytes), String(startAt), String(endAt)], {stdio: ['ignore', 'ignore', 'inherit', 'ipc']});
			child.once('message', message => resolve(Number(message)));
			child.once('error', reject);
			child.once('exit', code => {
				if (code !== 0) {
					reject(new Error(`worker exited with ${code}`));
				}
			});
		})));
		return counts.reduce((sum, count) => sum + count, 0);
	} finally {
		await rm(dir, {recursive: true, force: true});
	}
}

async function main(): Promise<void> {
	if (process.argv[2] === '--worker') {
		const [, mode, dir, bytes, startAt, endAt] = process.argv.slice(2);
		const count = await work(mode as Mode, dir!, Number(bytes), Number(startAt), Number(endAt));
		process.send!(count);
		return;
	}

	const {values} = parseArgs({options: {seconds: {type: 'string', default: '3'}, dir: {type: 'string', default: os.tmpdir()}, bytes: {type: 'string', default: '1024,65536'}, json: {type: 'boolean', default: false}}});
	const seconds = Number(values.seconds);
	const base = path.resolve(values.dir);
	const load = os.loadavg().map(value => value.toFixed(1)).join(' ');
	// With --json the rates (operations per second) go to stdout as one JSON document.
	const log = values.json ? () => undefined : (text: string) => console.log(text);
	const json: Array<{bytes: number; mode: Mode; one: number; eight: number}> = [];
	log(`cws store benchmark: ${seconds} s per cell, files under ${base}, Node ${process.version}, ${os.cpus().length} CPUs, load average ${load}`);
	const rows: string[][] = [['payload', 'operation', '1 process', '8 processes']];
	const slices = Math.max(1, Math.round(seconds));
	for (const bytes of values.bytes.split(',').map(Number)) {
		const counts = {raw: {one: 0, eight: 0}, update: {one: 0, eight: 0}};
		for (let slice = 0; slice < slices; slice++) {
			for (const processes of [1, 8]) {
				const order = slice % 2 === 0 ? (['raw', 'update'] as const) : (['update', 'raw'] as const);
				for (const mode of order) {
					counts[mode][processes === 1 ? 'one' : 'eight'] += await cell(mode, bytes, processes, seconds / slices, base);
				}
			}
		}

		for (const mode of ['raw', 'update'] as const) {
			const one = counts[mode].one / seconds;
			const eight = counts[mode].eight / seconds;
			json.push({bytes, mode, one, eight});
			rows.push([
				`${bytes / 1024} KiB`,
				mode === 'raw' ? 'write-file-atomic (no lock, no checks)' : 'Store.update (lock, verify, fence, backup)',
				`${one.toFixed(0)}/s`,
				`${eight.toFixed(0)}/s`,
			]);
		}
	}

	if (values.json) {
		process.stdout.write(`${JSON.stringify({seconds, cells: json}, null, 2)}\n`);
		return;
	}

	const widths = rows[0]!.map((_, column) => Math.max(...rows.map(row => row[column]!.length)));
	for (const row of rows) {
		console.log(row.map((text, column) => (column >= 2 ? text.padStart(widths[column]!) : text.padEnd(widths[column]!))).join('  '));
	}
}

await main();
