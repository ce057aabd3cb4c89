import fs from 'node:fs/promises';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {PROJECT_NAME_RULE} from '../../source/core/board/names.js';
import {makeTemp, removeTemp, runCws} from './run-cws.js';

let home: string;
const made: string[] = [];
beforeAll(async () => {
	home = await makeTemp();
});
afterAll(async () => {
	await Promise.all([home, ...made].map(async dir => removeTemp(dir)));
});

/** A name nobody's prototype has, to compare with. */
const ORDINARY = 'plain';

type Step = {args: string[]; code: number; stdout: string; stderr: string};

/**
 * Runs a project's whole life through the built CLI in a workspace of its
 * own (synced to a local backup folder) and returns every command's exit
 * code and output with the name, the paths and the clock taken out, so that
 * two names' lives can be compared as they are.
 */
async function life(name: string): Promise<Step[]> {
	const parent = await makeTemp('cws-cli-proto-');
	made.push(parent);
	const root = path.join(parent, 'ws');
	const backups = path.join(parent, 'backups');
	await fs.mkdir(backups);
	const steps: Step[] = [];
	const cws = async (...args: string[]) => {
		const result = await runCws([...args, '--workspace', root], {home});
		steps.push({args: args.map(arg => (arg === name ? '<name>' : arg)), code: result.code, stdout: normalize(result.stdout), stderr: normalize(result.stderr)});
	};

	const normalize = (text: string) => text
		.replaceAll(parent, '<parent>')
		.replaceAll(new RegExp(`\\b${name}\\b`, 'g'), '<name>')
		.replaceAll(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, '<time>')
		.replaceAll(/\d{8}T\d{6}Z/g, '<stamp>')
		.replaceAll(/\b[0-9a-z]{9}-[0-9a-f]{8}\b/g, '<job>')
		.replaceAll(/\b\d{10,}(\.\d+)?\b/g, '<epoch>')
		.replaceAll(/\d+(\.\d+)? ?(ms|s|m|h|d)\b/g, '<age>')
		// Column widths follow the name's length.
		.replaceAll(/ {2,}/g, '  ');

	await cws('init');
	await fs.writeFile(path.join(root, '.cws', 'config.json'), JSON.stringify({sync: {backupRoot: backups}}), {mode: 0o600});
	await cws('new', name, '--description', 'a project');
	await cws('new', name);
	await cws('note', name, 'where I left off');
	await cws('note', name);
	await cws('note', name, '--json');
	await cws('promote', name);
	await cws('gates', name);
	await cws('sync', name);
	await cws('queue', 'work', '--once');
	steps.push({args: ['(backed up)'], code: await fs.stat(path.join(backups, name)).then(stat => (stat.isDirectory() ? 0 : 1), () => 1), stdout: '', stderr: ''});
	await cws('queue');
	await cws('sync', name);
	await cws('demote', name);
	await cws('move', name, 'active');
	await cws('list');
	await cws('list', '--json');
	await cws('status');
	await cws('verify');
	await cws('archive', name);
	await cws('list');
	await cws('restore', name);
	await cws('rm', name);
	await cws('trash');
	await cws('rm', name);
	// A record whose folder went missing: `new` refuses it, `rm` moves it to the trash alone.
	await cws('new', name);
	await fs.rm(path.join(root, 'sandbox', name), {recursive: true, force: true});
	await cws('new', name);
	await cws('verify');
	await cws('rm', name);
	await cws('trash', '--json');
	// A folder added by hand gets a record at its first note.
	await fs.mkdir(path.join(root, 'active', name));
	await cws('note', name);
	await cws('note', name, 'found it');
	await cws('list');
	await cws('status');
	await cws('verify');
	return steps;
}

describe('project names that Object.prototype also has, through the CLI', () => {
	it('a project named "constructor" lives the same life as any other', async () => {
		const ordinary = await life(ORDINARY);
		// The ordinary life itself went the way the board is meant to go.
		expect(ordinary.map(step => `${step.args.join(' ')} → ${step.code}`)).toEqual([
			'init → 0', 'new <name> --description a project → 0', 'new <name> → 1', 'note <name> where I left off → 0', 'note <name> → 0',
			'note <name> --json → 0', 'promote <name> → 0', 'gates <name> → 1', 'sync <name> → 0', 'queue work --once → 0', '(backed up) → 0', 'queue → 0',
			'sync <name> → 0', 'demote <name> → 0', 'move <name> active → 0', 'list → 0', 'list --json → 0', 'status → 0', 'verify → 0',
			'archive <name> → 0', 'list → 0', 'restore <name> → 0', 'rm <name> → 0', 'trash → 0', 'rm <name> → 1', 'new <name> → 0',
			'new <name> → 1', 'verify → 1', 'rm <name> → 0', 'trash --json → 0', 'note <name> → 0', 'note <name> found it → 0', 'list → 0',
			'status → 0', 'verify → 0',
		]);
		const queue = ordinary.find(step => step.args.join(' ') === 'queue')!;
		expect(queue.stdout).toMatch(/done\s+<name>\s+backup\s+1\/5/);
		expect(ordinary.find(step => step.args.join(' ') === 'new <name>' && step.code === 1 && /folder is missing/.test(step.stderr))).toBeDefined();

		const named = await life('constructor');
		for (const [index, step] of named.entries()) {
			expect(step, `cws ${step.args.join(' ')}`).toEqual(ordinary[index]);
		}

		expect(named).toHaveLength(ordinary.length);
	}, 90_000);

	it('Object.prototype\'s other member names are refused like any name that breaks the rule', async () => {
		const parent = await makeTemp('cws-cli-proto-');
		made.push(parent);
		const root = path.join(parent, 'ws');
		expect((await runCws(['init', root], {home})).code).toBe(0);
		for (const name of ['toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', 'propertyIsEnumerable', 'toLocaleString', '__proto__', '__defineGetter__']) {
			for (const args of [['new', name], ['note', name, 'text'], ['promote', name], ['rm', name]]) {
				const result = await runCws([...args, '--workspace', root], {home});
				expect(result.code, `cws ${args.join(' ')}`).toBe(1);
				expect(result.stderr, `cws ${args.join(' ')}`).toContain(`Refused project name ${JSON.stringify(name)}: ${PROJECT_NAME_RULE}.`);
			}
		}

		expect((await fs.readdir(path.join(root, 'sandbox')))).toEqual([]);
	}, 90_000);
});
