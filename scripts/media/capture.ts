// Screenshots of cws at 80×24 for the README, from a real run: builds the
// demo workspace, starts a stand-in dev server in one of its projects, runs
// `node dist/cli.js` in a pseudo-terminal read by a headless xterm, types
// the keys a person would, and writes each screen to media/<name>.svg (the
// picture) and media/<name>.txt (the same screen as text).
//
//   npm run media          (builds first)
//   node scripts/run-ts.mjs scripts/media/capture.ts [--out dir]
import {execFile, spawn} from 'node:child_process';
import {existsSync} from 'node:fs';
import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {promisify} from 'node:util';
import {readScreen, renderSvg, screenText} from './svg.js';

// Native and browser-style packages are loaded at run time, not bundled by run-ts.
const packages = {pty: 'node-pty', xterm: '@xterm/headless'};
const pty = await import(packages.pty) as typeof import('node-pty');
const {default: xterm} = await import(packages.xterm) as {default: typeof import('@xterm/headless')};

const COLS = 80;
const ROWS = 24;
const repo = process.cwd();
const cli = path.join(repo, 'dist/cli.js');
const outIndex = process.argv.indexOf('--out');
const outDir = path.resolve(outIndex === -1 ? 'media' : process.argv[outIndex + 1] ?? 'media');

if (!existsSync(cli)) {
	process.stderr.write('media: dist/cli.js is missing; run npm run build first (npm run media does)\n');
	process.exit(1);
}

const scratch = await mkdtemp(path.join(os.tmpdir(), 'cws-media-'));
const home = path.join(scratch, 'home');
await mkdir(home, {recursive: true, mode: 0o700});
const env = cleanEnv({
	HOME: home,
	XDG_CONFIG_HOME: path.join(home, '.config'),
	XDG_STATE_HOME: path.join(home, '.local/state'),
	XDG_DATA_HOME: path.join(home, '.local/share'),
	XDG_CACHE_HOME: path.join(home, '.cache'),
	TMPDIR: scratch, // The demo workspace is built under it, so it goes with the scratch folder.
	TERM: 'xterm-256color',
	COLORTERM: 'truecolor',
	LANG: 'C.UTF-8',
	CI: 'false',
});

const cleanups: Array<() => unknown> = [async () => rm(scratch, {recursive: true, force: true})];
let failed = false;
try {
	await captureAll();
} catch (error) {
	failed = true;
	process.stderr.write(`media: ${error instanceof Error ? error.message : String(error)}\n`);
} finally {
	for (const cleanup of cleanups.reverse()) {
		await cleanup();
	}
}

process.exit(failed ? 1 : 0);

async function captureAll(): Promise<void> {
	const {stdout} = await promisify(execFile)(process.execPath, [cli, 'demo', '--build-only'], {env, timeout: 60_000});
	const workspace = /^Open it with: cws --workspace (.+)$/m.exec(stdout)?.[1];
	if (!workspace) throw new Error(`the demo workspace was not built:\n${stdout}`);

	// A stand-in dev server inside a project, so the process pane and the cexit question have something to show.
	const server = spawn('sleep', ['600'], {cwd: path.join(workspace, 'active/api-gateway'), stdio: 'ignore'});
	cleanups.push(() => server.kill('SIGKILL'));

	const app = startApp(['--workspace', workspace]);
	cleanups.push(async () => app.kill());
	await mkdir(outDir, {recursive: true});

	const shot = async (name: string, title: string, ...texts: string[]) => {
		await app.waitFor(texts);
		const screen = readScreen(app.terminal, app.cursorVisible());
		await writeFile(path.join(outDir, `${name}.svg`), renderSvg(screen, {title: `cws — ${title} · ${COLS}×${ROWS}`}));
		await writeFile(path.join(outDir, `${name}.txt`), screenText(screen));
		process.stdout.write(`${path.relative(repo, path.join(outDir, name))}.svg\n`);
	};

	// The process count on a card and in the process pane come from the first process scan.
	await shot('board', 'stage board', 'billing-service', '⚙1', 'sleep 600');
	app.write('llj'); // To core-engine in Stable, which syncs to a local bare remote.
	app.write('s');
	await app.waitFor(['done']);
	app.write('2');
	await shot('queue', 'sync queue', '▶ 2 Sync queue', 'done');
	app.write('3');
	await shot('processes', 'processes', '▶ 3 Processes', 'sleep 600');
	app.write('1');
	await app.waitFor(['▶ 1 Stage board']);
	app.write('?');
	await shot('help', 'help', '▶ Help', 'Select the next project');
	app.write('\u0007'); // Ctrl+G closes it.
	await app.waitFor(['▶ 1 Stage board']);
	app.write(':');
	await app.waitFor(['Command line']);
	app.write('cex');
	await shot('palette', 'command line', '║ :cex ', 'Leave cws');
	app.write('it\r');
	await shot('cexit', 'cexit', 'Before leaving:', 'before leaving?', 'Leave now');
	app.write('\u0007'); // Stay: the workspace is removed with the scratch folder anyway.
}

type App = {
	terminal: InstanceType<typeof xterm.Terminal>;
	cursorVisible(): boolean;
	write(keys: string): void;
	/** Waits until every text is on the screen and the output has been quiet for a moment. */
	waitFor(texts: string[], timeoutMs?: number): Promise<void>;
	kill(): Promise<void>;
};

function startApp(args: string[]): App {
	const terminal = new xterm.Terminal({cols: COLS, rows: ROWS, allowProposedApi: true, scrollback: 0});
	let cursorVisible = true;
	const cursorMode = (visible: boolean) => (params: Array<number | number[]>) => {
		if (params.includes(25)) cursorVisible = visible;
		return false; // Let xterm handle the sequence too.
	};

	terminal.parser.registerCsiHandler({prefix: '?', final: 'h'}, cursorMode(true));
	terminal.parser.registerCsiHandler({prefix: '?', final: 'l'}, cursorMode(false));
	const child = pty.spawn(process.execPath, [cli, ...args], {name: 'xterm-256color', cols: COLS, rows: ROWS, cwd: repo, env, encoding: null});
	let lastData = Date.now();
	let exited = false;
	const exit = new Promise<void>(resolve => {
		child.onExit(() => {
			exited = true;
			resolve();
		});
	});
	child.onData(data => {
		lastData = Date.now();
		terminal.write(typeof data === 'string' ? Buffer.from(data) : data);
	});
	const text = () => {
		const lines: string[] = [];
		for (let row = 0; row < ROWS; row++) lines.push(terminal.buffer.active.getLine(row)?.translateToString(true) ?? '');
		return lines.join('\n');
	};

	const flush = async () => new Promise<void>(resolve => {
		terminal.write('', resolve);
	});
	return {
		terminal,
		cursorVisible: () => cursorVisible,
		write(keys) {
			// Counts as activity: the answer to the keys must come before the screen counts as quiet.
			lastData = Date.now();
			child.write(keys);
		},
		async waitFor(texts, timeoutMs = 20_000) {
			const deadline = Date.now() + timeoutMs;
			for (;;) {
				await flush();
				const screen = text();
				// Quiet for 400 ms: the frame is complete, not half drawn.
				if (texts.every(wanted => screen.includes(wanted)) && Date.now() - lastData > 400) return;
				if (exited) throw new Error(`cws exited while waiting for ${texts.join(', ')}; screen:\n${screen}`);
				if (Date.now() > deadline) throw new Error(`${texts.join(', ')} never appeared; screen:\n${screen}`);
				await new Promise(resolve => setTimeout(resolve, 100));
			}
		},
		async kill() {
			if (!exited) child.kill('SIGKILL');
			await Promise.race([exit, new Promise(resolve => setTimeout(resolve, 2000))]);
			terminal.dispose();
		},
	};
}

/** The caller's environment without what would make cws think it runs in CI, in tmux or in another workspace. */
function cleanEnv(extra: Record<string, string>): Record<string, string> {
	const drop = /^(CI_|XDG_|npm_|VITEST)|^(CI|CONTINUOUS_INTEGRATION|CWS_WORKSPACE|NO_COLOR|FORCE_COLOR|TMUX|TMUX_PANE|NODE_OPTIONS|COLUMNS|LINES)$/;
	const env = Object.fromEntries(Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined && !drop.test(entry[0])));
	return {...env, ...extra};
}
