import {mkdtemp, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {Store, type StateSpec} from '../../source/core/store.js';
import {bannerLayout} from '../../source/ui/components/banner.js';
import {describeRecovery, RecoveryNotices, startupBanner, withNoticeLine} from '../../source/ui/recovery-notices.js';

const spec: StateSpec<{count: number}> = {
	name: 'counter.json',
	version: 1,
	parse: payload => payload as {count: number},
	initial: () => ({count: 0}),
};

const roots: string[] = [];
afterEach(async () => {
	await Promise.all(roots.splice(0).map(async root => rm(root, {recursive: true, force: true})));
});

describe('recovery notices', () => {
	it('a state file restored from backup before the screen exists is kept for the start-up notice, later ones go to the screen', async () => {
		const root = await mkdtemp(path.join(os.tmpdir(), 'cws-recovery-'));
		roots.push(root);
		const meta = path.join(root, '.cws');
		const store = new Store(meta);
		await store.update(spec, () => ({count: 1}));
		await store.update(spec, () => ({count: 2}));
		const notices = new RecoveryNotices(store, root);

		await writeFile(path.join(meta, 'counter.json'), 'not json at all');
		const restored = await store.read(spec);
		expect(restored.recovered).toBeDefined();
		const early = notices.takeEarly();
		expect(early).toHaveLength(1);
		expect(early[0]).toMatch(/^\.cws\/counter\.json was damaged \(.+\): generation \d+ restored from backup, the damaged copy kept in \.cws\/quarantine\//);

		const shown: string[] = [];
		notices.attach(line => shown.push(line));
		await writeFile(path.join(meta, 'counter.json'), '{"format":');
		await store.read(spec);
		expect(shown).toHaveLength(1);
		expect(shown[0]).toContain('.cws/counter.json was damaged');

		notices.stop();
		await writeFile(path.join(meta, 'counter.json'), 'garbage again');
		await store.read(spec);
		expect(shown).toHaveLength(1);
	});

	it('lines join the notice on screen with the dismiss hint kept last', () => {
		expect(startupBanner([])).toBeUndefined();
		const banner = startupBanner(['the previous session ended uncleanly']);
		expect(withNoticeLine(banner, 'state.json was damaged')).toEqual(['the previous session ended uncleanly', 'state.json was damaged', 'Ctrl+X dismisses this notice.']);
		expect(withNoticeLine(undefined, 'state.json was damaged')).toEqual(['state.json was damaged', 'Ctrl+X dismisses this notice.']);
	});

	it('a first line too long for the notice is cut with an ellipsis, not dropped', () => {
		const long = `${'x'.repeat(400)} end`;
		const {shown, rows} = bannerLayout([long, 'second', 'third'], 80);
		expect(shown[0]).toMatch(/^x+…$/);
		expect(shown[1]).toBe('… and 2 more');
		expect(rows).toBe(4);
	});

	it('describes a report outside the workspace by its absolute path', () => {
		const line = describeRecovery({file: '/elsewhere/state.json', fault: 'checksum mismatch', quarantinedTo: '/elsewhere/q/state.json', restoredGeneration: 3, message: ''}, '/ws');
		expect(line).toBe('/elsewhere/state.json was damaged (checksum mismatch): generation 3 restored from backup, the damaged copy kept in /elsewhere/q/state.json');
	});
});
