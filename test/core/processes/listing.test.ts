import {chmod, copyFile, mkdir, realpath, symlink} from 'node:fs/promises';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {attributeCwd, Attributor, linuxSource, ProcessReader, type ProcessSource} from '../../../source/core/processes/index.js';
import {parseCpuTime, parseLsofCwd, parsePsLine} from '../../../source/core/processes/darwin-reader.js';
import {parseCmdline, parseProcStat, programName, stripDeleted} from '../../../source/core/processes/proc-stat.js';
import {parsePasswd} from '../../../source/core/processes/users.js';
import {makeTempDir, type TempDir} from '../../helpers/tmp.js';
import {readStat} from '../../../source/core/processes/proc-fs.js';
import {Spawner, waitFor} from './helpers.js';

const spawner = new Spawner();
const dirs: TempDir[] = [];

afterEach(async () => {
	await spawner.killAll();
	await Promise.all(dirs.splice(0).map(async dir => dir.cleanup()));
});

const statTail = 'S 1 1234 1234 0 -1 4194560 100 0 0 0 7 5 0 0 20 0 1 0 98765 8000000 321 18446744073709551615';

describe('/proc/<pid>/stat parsing', () => {
	it('finds the fields after the LAST closing parenthesis, whatever the command name holds', () => {
		for (const comm of ['sleep', 'a b', 'x) S 9 9 9 (y', ') (', '((()))']) {
			const parsed = parseProcStat(`4321 (${comm}) ${statTail}\n`);
			expect(parsed, comm).toEqual({pid: 4321, comm, state: 'S', ppid: 1, pgid: 1234, sid: 1234, cpuTicks: 12, startTime: 98765, rssPages: 321});
		}
	});

	it('rejects text that is not a stat line', () => {
		expect(parseProcStat('')).toBeUndefined();
		expect(parseProcStat('12 (x) S 1')).toBeUndefined();
		expect(parseProcStat('nope')).toBeUndefined();
	});

	it('reads a real process whose executable name has spaces and parentheses', async () => {
		const dir = await makeTempDir('proc-stat');
		dirs.push(dir);
		const weird = path.join(dir.path, 'we (i) rd)');
		await copyFile(await realpath('/bin/sleep'), weird);
		await chmod(weird, 0o755);
		const started = await spawner.start(weird, ['30'], {cwd: dir.path, argv0: 'my sleep (x)'});
		// Freshly exec'd, it may still be running its start-up code.
		await waitFor(() => readStat(started.pid)?.state === 'S', 'the copy of sleep to sleep');
		const process = await linuxSource.probe(started.pid);
		expect(process).toMatchObject({
			pid: started.pid, startTime: started.startTime, comm: 'we (i) rd)', state: 'S', argv: ['my sleep (x)', '30'],
			command: 'my sleep (x) 30', name: 'my sleep (x)', exe: weird, exeDeleted: false, cwd: await realpath(dir.path),
		});
		expect(process!.rssBytes).toBeGreaterThan(0);
		expect(Math.abs(process!.startedAt - Date.now())).toBeLessThan(60_000);
	});

	it('splits command lines and names programs like a person would', () => {
		expect(parseCmdline('node\0server.js\0--port\0\0')).toEqual(['node', 'server.js', '--port', '']);
		expect(parseCmdline('node\0a b\0')).toEqual(['node', 'a b']);
		expect(parseCmdline('')).toEqual([]);
		expect(programName(['-bash'], 'bash')).toBe('bash');
		expect(programName(['/usr/bin/vim', 'x'], 'vim')).toBe('vim');
		expect(programName([], 'kworker/0:1')).toBe('kworker/0:1');
		expect(stripDeleted('/usr/bin/bash (deleted)')).toEqual({path: '/usr/bin/bash', deleted: true});
		expect(parsePasswd('root:x:0:0::/root:/bin/bash\nnobody:x:65534:65534::/:/usr/sbin/nologin\n# x\n')).toEqual(new Map([[0, 'root'], [65534, 'nobody']]));
	});
});

describe('CPU%', () => {
	it('is the share of one core used between two listings', async () => {
		let now = 1_000_000;
		let ticks = 500;
		const process = {
			pid: 7, ppid: 1, pgid: 7, uid: 0, user: 'root', startTime: 5, startedAt: 0, state: 'R', comm: 'x', argv: ['x'],
			command: 'x', name: 'x', exe: null, exeDeleted: false, cwd: null, rssBytes: 0, cpuTicks: 0,
		};
		const source: ProcessSource = {...linuxSource, list: async () => [{...process, cpuTicks: ticks}]};
		const reader = new ProcessReader(source, () => now);
		expect((await reader.list())[0]?.cpuPercent).toBe(0.5); // 5 s of CPU over 1,000 s of life
		now += 2000;
		ticks += 100; // 1 s of CPU in 2 s
		expect((await reader.list())[0]?.cpuPercent).toBe(50);
		now += 2000;
		expect((await reader.list())[0]?.cpuPercent).toBe(0);
	});

	it('measures a busy child near 100% and a sleeping one near 0%', async () => {
		const busy = await spawner.start(globalThis.process.execPath, ['-e', 'for(;;){}']);
		const idle = await spawner.start('sleep', ['30']);
		const reader = new ProcessReader();
		await reader.list();
		await new Promise(resolve => setTimeout(resolve, 1000));
		const byPid = new Map((await reader.list()).map(entry => [entry.pid, entry]));
		// Other test files share the two cores; a busy loop still gets a clear share.
		expect(byPid.get(busy.pid)?.cpuPercent).toBeGreaterThan(5);
		expect(byPid.get(busy.pid)?.cpuPercent).toBeLessThanOrEqual(105);
		expect(byPid.get(idle.pid)?.cpuPercent).toBe(0);
	});
});

describe('attribution', () => {
	it('attributes by the first two segments under the root, only inside it', () => {
		const root = '/ws';
		expect(attributeCwd(root, '/ws/sandbox/web')).toEqual({inWorkspace: true, project: 'sandbox/web', stage: 'sandbox'});
		expect(attributeCwd(root, '/ws/active/api/src/deep')).toEqual({inWorkspace: true, project: 'active/api', stage: 'active'});
		expect(attributeCwd(root, '/ws')).toEqual({inWorkspace: true, project: null, stage: null});
		expect(attributeCwd(root, '/ws/.cws/queue')).toEqual({inWorkspace: true, project: null, stage: null});
		expect(attributeCwd(root, '/ws/sandbox')).toEqual({inWorkspace: true, project: null, stage: null});
		expect(attributeCwd(root, '/ws/..foo/x')).toEqual({inWorkspace: true, project: null, stage: null});
		expect(attributeCwd(root, '/wsx/sandbox/web').inWorkspace).toBe(false);
		expect(attributeCwd(root, '/elsewhere').inWorkspace).toBe(false);
		expect(attributeCwd(root, null).inWorkspace).toBe(false);
	});

	it('compares real paths: a root reached through a symlink still matches the kernel\'s cwd', async () => {
		const dir = await makeTempDir('attribution');
		dirs.push(dir);
		const real = path.join(dir.path, 'real');
		await mkdir(path.join(real, 'stable', 'lib'), {recursive: true});
		await symlink(real, path.join(dir.path, 'link'));
		const started = await spawner.start('sleep', ['30'], {cwd: path.join(dir.path, 'link', 'stable', 'lib')});
		const process = await linuxSource.probe(started.pid);
		expect(new Attributor(path.join(dir.path, 'link')).attribute(process!)).toEqual({inWorkspace: true, project: 'stable/lib', stage: 'stable'});
	});
});

describe('macOS ps parsing', () => {
	it('reads a ps line with lstart and a command line with spaces', () => {
		const row = parsePsLine('  812   1  812  501 alice  Ss   10240   1:02.50 Tue Nov 25 01:06:00 2026 /usr/bin/vim my file.txt');
		expect(row).toMatchObject({pid: 812, ppid: 1, pgid: 812, uid: 501, user: 'alice', state: 'S', rssBytes: 10240 * 1024, cpuTicks: 6250, argv: ['/usr/bin/vim', 'my', 'file.txt'], name: 'vim'});
		expect(row!.startedAt).toBe(new Date('2026-11-25T01:06:00').getTime());
		expect(parseCpuTime('1-02:03:04')).toBe(86_400 + 7384);
		expect(parseLsofCwd('p812\nfcwd\nn/Users/alice/ws/sandbox/web\np9\nfcwd\nn/\n')).toEqual(new Map([[812, '/Users/alice/ws/sandbox/web'], [9, '/']]));
	});
});
