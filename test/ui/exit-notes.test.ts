import {mkdir} from 'node:fs/promises';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {addNote} from '../../source/core/board/notes.js';
import {initWorkspace} from '../../source/core/workspace.js';
import {Store} from '../../source/core/store.js';
import {exitNoteLines, touchedProjectNotes} from '../../source/ui/exit-notes.js';
import {tempDirs} from '../helpers/tmp.js';

const temps = tempDirs('exit-notes');
afterAll(async () => temps.cleanupAll());

const record = (notes: Array<{at: string; text: string}>) => ({model: 'open-source' as const, description: '', created: '2026-01-01T00:00:00.000Z', history: [], notes});

describe('the exit summary of the projects touched', () => {
	it('shows the newest note of each, on one line, with control characters made visible', () => {
		const lines = exitNoteLines(['web', 'api', 'cli'], {
			web: record([{at: '2026-01-01T10:00:00.000Z', text: 'old'}, {at: '2026-01-02T10:00:00.000Z', text: 'rate limiter half done\nnext: burst tests'}]),
			api: record([{at: '2026-01-02T10:00:00.000Z', text: `evil \u001B]0;title\u0007 ${'x'.repeat(200)}`}]),
		});
		expect(lines[0]).toBe('projects touched, and where you left off:');
		expect(lines[1]).toMatch(/^ {2}web \(2026-01-0[12] \d\d:\d\d\): rate limiter half done …$/);
		expect(lines[2]).toContain('evil ␛]0;title␇');
		expect(lines[2]).not.toMatch(/[\u0000-\u001F]/);
		expect(lines[2]!.length).toBeLessThan(140);
		expect(lines[3]).toBe('  cli: no notes yet (cws note cli "where I left off")');
		expect(lines).toHaveLength(4);
	});

	it('says nothing when no project was touched, and counts the ones beyond ten', () => {
		expect(exitNoteLines([], {})).toEqual([]);
		const names = Array.from({length: 13}, (_, index) => `p${index}`);
		const lines = exitNoteLines(names, {});
		expect(lines).toHaveLength(12);
		expect(lines.at(-1)).toBe('  and 3 more (cws note <name> shows their notes)');
	});

	it('reads the notes written through the store', async () => {
		const root = path.join(await temps.create(), 'ws');
		const {paths} = await initWorkspace(root);
		await mkdir(path.join(paths.stageDir.active, 'web'));
		const ws = {paths, store: new Store(paths.meta)};
		await addNote(ws, 'web', 'left off at the parser');
		const lines = await touchedProjectNotes(ws.store, ['web']);
		expect(lines[1]).toMatch(/^ {2}web \(.+\): left off at the parser$/);
	});
});
