import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {PASSING, makeProject, makeWorkspace} from '../core/board/helpers.js';
import {startCws, useCwsCleanup} from '../helpers/pty.js';

useCwsCleanup();

const dirs: string[] = [];
afterEach(async () => {
	await Promise.all(dirs.splice(0).map(async dir => rm(dir, {recursive: true, force: true})));
});

/**
 * Loaded into cws with --require: notes every use of ICU's locale services
 * (Intl objects, locale comparisons and formatting) with where it came from,
 * and whether the board had been written to the terminal yet (a write
 * naming a project), and writes the notes to a file when the process ends.
 */
const probe = (out: string) => `
const {writeFileSync} = require('node:fs');
const uses = [];
let drawn = false;
const note = what => uses.push({what, beforeFirstFrame: !drawn, stack: new Error().stack.split('\\n').slice(2, 8).join('\\n')});
for (const name of ['Segmenter', 'Collator', 'DateTimeFormat', 'NumberFormat', 'PluralRules', 'RelativeTimeFormat', 'ListFormat', 'DisplayNames', 'Locale']) {
	const original = Intl[name];
	Intl[name] = new Proxy(original, {construct(target, args, newTarget) { note('Intl.' + name); return Reflect.construct(target, args, newTarget); }});
}
for (const [owner, method] of [[String.prototype, 'localeCompare'], [String.prototype, 'toLocaleUpperCase'], [String.prototype, 'toLocaleLowerCase'], [Number.prototype, 'toLocaleString'], [Array.prototype, 'toLocaleString'], [Date.prototype, 'toLocaleString'], [Date.prototype, 'toLocaleDateString'], [Date.prototype, 'toLocaleTimeString']]) {
	const original = owner[method];
	owner[method] = function (...args) { note(method); return original.apply(this, args); };
}
const write = process.stdout.write;
process.stdout.write = function (chunk, ...rest) {
	if (!drawn && String(chunk).includes('first-project')) drawn = true;
	return write.call(this, chunk, ...rest);
};
process.on('exit', () => writeFileSync(${JSON.stringify(out)}, JSON.stringify({drawn, uses})));
`;

// The first Intl object a process makes loads ICU's data and locale (10 to
// 15 ms); Ink's text libraries make theirs on first use (scripts/bundle-edits.mjs)
// and a board of plain names draws without one. Anything that brings that
// cost back into the first frame fails here.
describe('the first frame', () => {
	it('is drawn without ICU\'s locale services', async () => {
		const dir = await mkdtemp(path.join(os.tmpdir(), 'cws-intl-'));
		dirs.push(dir);
		const ws = await makeWorkspace(path.join(dir, 'ws'));
		await makeProject(ws, 'sandbox', 'first-project', {'notes.md': 'x\n'}, {git: false});
		await makeProject(ws, 'active', 'second-project', PASSING);
		await makeProject(ws, 'stable', 'third-project', PASSING);
		const preload = path.join(dir, 'probe.cjs');
		const out = path.join(dir, 'uses.json');
		await writeFile(preload, probe(out));

		const t = await startCws({workspace: ws.paths.root, env: {NODE_OPTIONS: `--require ${preload}`}});
		await t.waitForText('third-project', {timeout: 15_000});
		t.press(':');
		for (const ch of 'cexit') t.press(ch);
		t.key('enter');
		expect(await t.waitForExit({timeout: 10_000})).toEqual({exitCode: 0, signal: undefined});

		const {drawn, uses} = JSON.parse(await readFile(out, 'utf8')) as {drawn: boolean; uses: Array<{what: string; beforeFirstFrame: boolean; stack: string}>};
		expect(drawn).toBe(true);
		expect(uses.filter(use => use.beforeFirstFrame)).toEqual([]);
	}, 30_000);
});
