import {appendFile, chmod, readFile, stat, symlink, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {appendJsonl, readJsonl, readJsonlDetailed} from '../../source/core/jsonl.js';
import {tempDirs} from '../helpers/tmp.js';

const temps = tempDirs('jsonl');
afterAll(async () => temps.cleanupAll());

describe('JSONL logs', () => {
	it('appends one line per record, creating the file 0600 whatever the umask', async () => {
		const file = path.join(await temps.create(), 'audit.log');
		const previous = process.umask(0o000);
		try {
			await appendJsonl(file, {a: 1});
			await appendJsonl(file, {b: 'two\nlines'}, {fsync: true});
		} finally {
			process.umask(previous);
		}

		expect(await readFile(file, 'utf8')).toBe('{"a":1}\n{"b":"two\\nlines"}\n');
		expect((await stat(file)).mode & 0o777).toBe(0o600);
		expect(await readJsonl(file)).toEqual([{a: 1}, {b: 'two\nlines'}]);
	});

	it('narrows a file that was created with a wider mode', async () => {
		const file = path.join(await temps.create(), 'sessions.jsonl');
		await writeFile(file, '');
		await chmod(file, 0o644);
		await appendJsonl(file, {x: 1});
		expect((await stat(file)).mode & 0o777).toBe(0o600);
	});

	it('concurrent appends never interleave within a line', async () => {
		const file = path.join(await temps.create(), 'log.jsonl');
		const big = 'z'.repeat(5000);
		await Promise.all(Array.from({length: 200}, async (_, i) => appendJsonl(file, {i, big})));
		const content = await readJsonlDetailed<{i: number; big: string}>(file);
		expect(content.skipped).toBe(0);
		expect(content.tornTail).toBe(false);
		expect(content.records.map(record => record.i).sort((a, b) => a - b)).toEqual(Array.from({length: 200}, (_, i) => i));
		expect(content.records.every(record => record.big === big)).toBe(true);
	});

	it('skips a torn last line and counts garbage lines instead of failing', async () => {
		const file = path.join(await temps.create(), 'log.jsonl');
		await appendJsonl(file, {ok: 1});
		await appendFile(file, 'not json at all\n\n');
		await appendJsonl(file, {ok: 2});
		await appendFile(file, '{"ok":3,"cut');
		expect(await readJsonlDetailed(file)).toEqual({records: [{ok: 1}, {ok: 2}], skipped: 1, tornTail: true});
		expect(await readJsonl(file)).toEqual([{ok: 1}, {ok: 2}]);
	});

	it('a missing file reads as empty; a symlink is refused for appends', async () => {
		const dir = await temps.create();
		expect(await readJsonl(path.join(dir, 'none.jsonl'))).toEqual([]);
		await writeFile(path.join(dir, 'elsewhere'), '');
		await symlink(path.join(dir, 'elsewhere'), path.join(dir, 'link.jsonl'));
		await expect(appendJsonl(path.join(dir, 'link.jsonl'), {x: 1})).rejects.toMatchObject({code: 'SYMLINK_REFUSED'});
		expect(await readFile(path.join(dir, 'elsewhere'), 'utf8')).toBe('');
	});
});
