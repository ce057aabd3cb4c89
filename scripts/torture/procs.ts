/**
 * Every process the torture starts goes through here, so the killer can pick
 * a live one of a kind and the end of the run can make sure none is left.
 */
import {spawn} from 'node:child_process';
import {existsSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

/** Repository root (the script is bundled into node_modules/.cache, so it is found from the cwd when needed). */
export const REPO = findRepo();
export const CLI = path.join(REPO, 'dist', 'cli.js');

/** What the killer may choose from. */
export const VICTIM_KINDS = ['cli', 'tui', 'worker'] as const;
export type VictimKind = (typeof VICTIM_KINDS)[number];

/** A live process the killer may SIGKILL. */
export type Victim = {kind: VictimKind; pid: number; startedAt: number; label: string; killed: boolean};

const live = new Set<Victim>();

/** Registers a process; returns the handle to unregister with. */
export function track(kind: VictimKind, pid: number, label: string): Victim {
	const victim: Victim = {kind, pid, startedAt: Date.now(), label, killed: false};
	live.add(victim);
	return victim;
}

export function untrack(victim: Victim): void {
	live.delete(victim);
}

/** Live processes of `kind`. */
export function victims(kind: VictimKind): Victim[] {
	return [...live].filter(victim => victim.kind === kind && !victim.killed);
}

/** SIGKILLs `victim` (marked so its owner knows the death was the killer's). */
export function killVictim(victim: Victim): boolean {
	try {
		process.kill(victim.pid, 'SIGKILL');
		victim.killed = true;
		return true;
	} catch {
		return false;
	}
}

/** SIGKILLs everything still registered (the last resort when the run aborts). */
export function killAll(): void {
	for (const victim of live) {
		try {
			process.kill(victim.pid, 'SIGKILL');
		} catch {}
	}
}

/** Result of one finished CLI command. */
export type CliResult = {
	args: string[];
	code: number | null;
	signal: NodeJS.Signals | null;
	stdout: string;
	stderr: string;
	startedAt: number;
	endedAt: number;
	/** The killer SIGKILLed it (and it died of that, not of finishing first). */
	killed: boolean;
	/** It ran past the time limit and was killed by the torture itself. */
	hung: boolean;
};

/** Runs `node dist/cli.js <args> --workspace <root>` as a killable 'cli' process. */
export async function runCli(root: string, args: string[], env: NodeJS.ProcessEnv, options: {timeoutMs?: number; kind?: VictimKind} = {}): Promise<CliResult> {
	const startedAt = Date.now();
	const child = spawn(process.execPath, [CLI, ...args, '--workspace', root], {env, stdio: ['ignore', 'pipe', 'pipe']});
	const victim = child.pid === undefined ? undefined : track(options.kind ?? 'cli', child.pid, args.slice(0, 2).join(' '));
	let stdout = '';
	let stderr = '';
	child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
		stdout += chunk;
	});
	child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
		stderr += chunk;
	});
	let hung = false;
	const timer = setTimeout(() => {
		hung = true;
		child.kill('SIGKILL');
	}, options.timeoutMs ?? 120_000);
	const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>(resolve => {
		child.on('error', error => {
			stderr += String(error);
			resolve([null, null]);
		});
		child.on('close', (exitCode, exitSignal) => resolve([exitCode, exitSignal]));
	});
	clearTimeout(timer);
	if (victim) {
		untrack(victim);
	}

	return {args, code, signal, stdout, stderr, startedAt, endedAt: Date.now(), killed: (victim?.killed ?? false) && signal === 'SIGKILL', hung};
}

/** Runs a plain program (git, …) to completion; never killed by the killer. */
export async function runTool(file: string, args: string[], options: {cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number} = {}): Promise<{code: number | null; stdout: string; stderr: string}> {
	const child = spawn(file, args, {cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe']});
	let stdout = '';
	let stderr = '';
	child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
		stdout += chunk;
	});
	child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
		stderr += chunk;
	});
	const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
	const code = await new Promise<number | null>(resolve => {
		child.on('error', error => {
			stderr += String(error);
			resolve(null);
		});
		child.on('close', exitCode => resolve(exitCode));
	});
	clearTimeout(timer);
	return {code, stdout, stderr};
}

/** Like runTool, but a non-zero exit throws with the command and its stderr. */
export async function mustRun(file: string, args: string[], options: {cwd?: string; env?: NodeJS.ProcessEnv} = {}): Promise<string> {
	const result = await runTool(file, args, options);
	if (result.code !== 0) {
		throw new Error(`${file} ${args.join(' ')} exited ${result.code}: ${result.stderr.trim()}`);
	}

	return result.stdout.trim();
}

export const sleep = async (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

function findRepo(): string {
	// npm run and the test start it from the repository root; node_modules may be a link to another checkout's.
	if (existsSync(path.join(process.cwd(), 'scripts', 'torture', 'run.ts'))) {
		return process.cwd();
	}

	// Bundled by scripts/run-ts.mjs into <repo>/node_modules/.cache/cws-run/; run from source by vitest.
	const here = path.dirname(fileURLToPath(import.meta.url));
	const cache = here.lastIndexOf(`${path.sep}node_modules${path.sep}`);
	return cache === -1 ? path.resolve(here, '..', '..') : here.slice(0, cache);
}
