// The floors cws's terminal figures are compared with, measured in the same
// run and the same way (a real pty at 80×24): how fast Node itself prints a
// line, how fast a bare Ink app draws (plain and bundled), and how many bytes
// htop sends per cursor move.
import {execFileSync} from 'node:child_process';
import {mkdir} from 'node:fs/promises';
import path from 'node:path';
import {peakRssMiB, sleep, startInPty} from './pty-start.js';

// esbuild finds its native binary from its own install: load it at run time, not bundled.
const packages = {esbuild: 'esbuild'};
const {build} = await import(packages.esbuild) as typeof import('esbuild');

const fixture = path.resolve('scripts/bench/fixtures/ink-hello.mjs');

/** Bundles the bare Ink app into one file, as scripts/build.mjs bundles cws. */
export async function bundleInkHello(): Promise<string> {
	const outDir = path.resolve('node_modules/.cache/cws-bench');
	await mkdir(outDir, {recursive: true});
	const outfile = path.join(outDir, 'ink-hello.bundle.mjs');
	await build({
		entryPoints: [fixture],
		outfile,
		bundle: true,
		platform: 'node',
		format: 'esm',
		target: 'node20',
		logLevel: 'warning',
		alias: {'react-devtools-core': path.resolve('scripts/stubs/react-devtools-core.js')},
		define: {'process.env.NODE_ENV': '"production"'},
		banner: {js: "import {createRequire as __r} from 'node:module';\nconst require = __r(import.meta.url);"},
	});
	return outfile;
}

/** Spawn → first output of `node -e` printing one line, per run (ms). */
export async function nodeEcho(runs: number): Promise<number[]> {
	const times: number[] = [];
	for (let run = 0; run < runs; run++) {
		const app = startInPty(process.execPath, ['-e', 'console.log("hello from node")']);
		times.push(await app.when(screen => screen.some(line => line.includes('hello from node'))));
		await app.kill();
	}

	return times;
}

/** Spawn → "hello" drawn for a bare Ink app (the given file), per run; and its peak RSS (MiB). */
export async function inkHello(file: string, runs: number): Promise<{ms: number[]; rssMiB: number[]}> {
	const ms: number[] = [];
	const rssMiB: number[] = [];
	for (let run = 0; run < runs; run++) {
		const app = startInPty(process.execPath, [file]);
		ms.push(await app.when(screen => screen.some(line => line.includes('hello from ink'))));
		await sleep(100);
		rssMiB.push(await peakRssMiB(app.pid));
		await app.kill();
	}

	return {ms, rssMiB};
}

/** Whether htop is on PATH. */
export function hasHtop(): boolean {
	try {
		execFileSync('htop', ['--version'], {stdio: 'ignore', timeout: 5000});
		return true;
	} catch {
		return false;
	}
}

/**
 * Bytes htop writes per cursor move (Down/Up in its process list), with its
 * refresh delay at 10 s so a timed refresh rarely lands inside a move.
 */
export async function htopBytesPerMove(moves: number): Promise<number[]> {
	const app = startInPty('htop', ['-d', '100']);
	await app.when(screen => screen.some(line => line.includes('PID')), 10_000);
	await sleep(800);
	const perMove: number[] = [];
	for (let index = 0; index < moves; index++) {
		const before = app.bytes();
		app.write(index % 4 === 3 ? '\u001B[A' : '\u001B[B');
		// Wait for the answer, then for quiet.
		for (let wait = 0; wait < 250 && app.bytes() === before; wait++) await sleep(2);
		let last = app.bytes();
		for (;;) {
			await sleep(60);
			if (app.bytes() === last) break;
			last = app.bytes();
		}

		perMove.push(app.bytes() - before);
	}

	app.write('q');
	await app.kill();
	return perMove;
}
