import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {buildRegistry} from '../../source/commands/registry.js';
import {interpretPreferences, loadPreferences, preferencesDir} from '../../source/ui/prefs.js';

let home: string;
const env = () => ({HOME: home, XDG_CONFIG_HOME: path.join(home, 'config')});

beforeEach(async () => {
	home = await mkdtemp(path.join(os.tmpdir(), 'cws-prefs-'));
});

afterEach(async () => {
	await rm(home, {recursive: true, force: true});
});

async function writePrefs(text: string): Promise<void> {
	const dir = preferencesDir(env());
	await mkdir(dir, {recursive: true});
	await writeFile(path.join(dir, 'config.json'), text);
}

describe('preferences', () => {
	it('are the defaults when there is no file, and the folder is not created', async () => {
		const prefs = await loadPreferences(env());
		expect(prefs).toMatchObject({keys: {}, theme: 'default', warnings: []});
		expect(prefs.file).toBe(path.join(home, 'config', 'cws', 'config.json'));
	});

	it('read key overrides and the theme through conf', async () => {
		await writePrefs(JSON.stringify({theme: 'mono', keys: {'app.log': 'L'}}));
		const prefs = await loadPreferences(env());
		expect(prefs).toMatchObject({theme: 'mono', keys: {'app.log': 'L'}, warnings: []});
		expect(buildRegistry(undefined, prefs.keys).keymap.get('global')!.get('L')!.id).toBe('app.log');
	});

	it('turn a broken file into one warning and the defaults', async () => {
		await writePrefs('{"keys": {');
		const prefs = await loadPreferences(env());
		expect(prefs.keys).toEqual({});
		expect(prefs.warnings).toHaveLength(1);
		expect(prefs.warnings[0]).toMatch(/config\.json could not be read .*defaults used/);
	});

	it('warn about unknown settings and themes and a malformed keys map', () => {
		const prefs = interpretPreferences({theme: 'neon', keys: ['x'], colour: true}, 'prefs.json');
		expect(prefs.theme).toBe('default');
		expect(prefs.keys).toEqual({});
		expect(prefs.warnings).toEqual([
			expect.stringMatching(/"keys" must map command ids/),
			expect.stringMatching(/unknown theme "neon"/),
			expect.stringMatching(/unknown setting "colour"/),
		]);
	});
});
