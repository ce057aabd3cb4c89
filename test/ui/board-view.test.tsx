import {render} from 'ink-testing-library';
import {describe, expect, it} from 'vitest';
import type {BoardAction} from '../../source/commands/board.js';
import type {BoardListing, ProjectCard} from '../../source/core/board/index.js';
import {STAGES} from '../../source/core/paths.js';
import type {QueueSnapshot} from '../../source/core/queue/index.js';
import {initialBoardState, reduceBoard, type BoardState} from '../../source/ui/panes/board/state.js';
import {BoardView} from '../../source/ui/panes/board/view.js';
import {applyColorLevel, makeTheme} from '../../source/ui/theme.js';
import {card, snapshot} from './board-fixtures.js';

// eslint-disable-next-line no-control-regex
const ansi = /\u001B\[[0-9;?]*[A-Za-z]/g;
const theme = makeTheme(false);
applyColorLevel();

/** The board pane's inside at 80×24. */
const WIDTH = 76;
const HEIGHT = 12;
const NOW = Date.parse('2026-03-01T12:00:00Z');

function listingOf(cards: ProjectCard[], extra: Partial<BoardListing> = {}): BoardListing {
	return {root: '/ws', scannedAt: NOW, cards, archived: [], missing: [], pending: null, problems: [], trashCount: 0, ...extra};
}

/** `perStage` projects in each stage, named p00000… (sorted as the scanner sorts them). */
function many(perStage: number): ProjectCard[] {
	return STAGES.flatMap(stage => Array.from({length: perStage}, (_, index) => card(stage, `p${String(index).padStart(5, '0')}`)));
}

const run = (state: BoardState, ...actions: BoardAction[]): BoardState => actions.reduce(reduceBoard, state);

function draw(state: BoardState, width = WIDTH, height = HEIGHT) {
	const view = render(<BoardView state={state} focused width={width} height={height} theme={theme} />);
	return {
		frame: () => (view.lastFrame() ?? '').replaceAll(ansi, ''),
		raw: () => view.lastFrame() ?? '',
		update(next: BoardState) {
			view.rerender(<BoardView state={next} focused width={width} height={height} theme={theme} />);
		},
		unmount: () => view.unmount(),
	};
}

/** Display width of a line (every character the board draws is one cell wide). */
const cells = (line: string): number => [...line].length;

describe('board view', () => {
	it('draws compact two-line cards in four columns at 80×24, every line within the width', () => {
		const state = run(
			initialBoardState(),
			snapshot(listingOf([
				card('sandbox', 'scratch', {stage: 'sandbox', activity: {newestMs: NOW - (40 * 86_400_000), newestPath: 'a', files: 1, truncated: false}, stale: true, git: {kind: 'none'}}),
				card('active', 'api-gateway', {git: {kind: 'repo', branch: 'main', head: 'abc1234', dirty: true, changes: 2, upstream: 'origin/main', ahead: 2, behind: 1}, activity: {newestMs: NOW - 300_000, newestPath: 'a', files: 1, truncated: false}}),
				card('stable', 'billing-service', {model: 'commercial', lead: 'Sales (paid)', git: {kind: 'repo', branch: 'main', head: 'abc1234', dirty: false, changes: 0, upstream: null}}),
				card('public', 'website', {lead: 'GitHub', description: 'The site \u001B[2Jwiped', git: {kind: 'error', error: 'timed out'}}),
			])),
			{type: 'clock', now: NOW},
			{type: 'processes', counts: new Map([['active/api-gateway', 2]])},
		);
		const view = draw(state);
		const lines = view.frame().split('\n');
		expect(lines[0]).toMatch(/^Sandbox \(1\) +Active \(1\) +Stable \(1\) +Public \(1\)/);
		expect(lines[1]).toMatch(/^▶ scratch stale +api-gateway ⚙2 +billing-service +website/);
		expect(lines[2]).toMatch(/^ {2}no git 5w +main\* ↑2↓1 5m +main →Sales +git\? →GitHub/);
		for (const line of lines) expect(cells(line), line).toBeLessThanOrEqual(WIDTH);
		// The footer tells everything about the selected card.
		expect(lines.at(-1)).toMatch(/^scratch · open-source · no git · changed 5w ago · stale/);
		view.unmount();

		// The selected card's description is escaped in the footer, never sent raw.
		const onWebsite = draw(run(state, {type: 'select', name: 'website'}), 120);
		expect(onWebsite.frame()).toContain('The site \\e[2Jwiped');
		expect(onWebsite.raw()).not.toContain('\u001B[2J');
		onWebsite.unmount();
	});

	it('marks missing projects, shows sync badges, and lists problems escaped', () => {
		const record = {model: 'open-source' as const, description: '', created: '2026-01-01T00:00:00.000Z', history: [], notes: []};
		const queue = {
			jobs: [],
			unreadable: [],
			loadedAt: NOW,
			error: undefined,
			stats: {depth: 0, pending: 0, failed: 0, running: 0, dead: 0, conflict: 0, waitP50Ms: undefined, waitP95Ms: undefined, successRate24h: undefined, finished24h: 1, lastSync: {site: {at: NOW - 3 * 3_600_000, ageMs: 3 * 3_600_000, stale: false, targets: ['origin']}}},
		} as unknown as QueueSnapshot;
		const state = run(
			initialBoardState(),
			snapshot(listingOf([card('public', 'site', {lead: 'GitHub', git: {kind: 'repo', branch: 'main', head: 'abc1234', dirty: false, changes: 0, upstream: 'origin/main', ahead: 0, behind: 0}})], {
				missing: [{name: 'ghost', recorded: 'active', record}],
				problems: [{kind: 'bad-name', path: '/ws/sandbox/\u001B[31mevil', message: 'sandbox/\u001B[31mevil: folder name not allowed'}],
			})),
			{type: 'clock', now: NOW},
			{type: 'queue', queue},
		);
		const view = draw(state);
		const frame = view.frame();
		expect(frame).toMatch(/ghost missing/);
		expect(frame).toMatch(/folder missing/);
		expect(frame).toMatch(/main →GitHub ✓3h/);
		expect(frame).toContain('! 1 problem (! lists them): sandbox/\\e[31mevil: folder name not allowed');
		expect(view.raw()).not.toContain('\u001B[31mevil');
		view.unmount();
	});

	it('shows the focused column alone, with arrows and the other counts, when four do not fit', () => {
		const state = run(initialBoardState(), snapshot(listingOf(many(3))), {type: 'move-column', delta: 1});
		const view = draw(state, 56, HEIGHT);
		const lines = view.frame().split('\n');
		expect(lines[0]).toBe('‹ Active (3) ›  Sandbox 3 · Stable 3 · Public 3');
		expect(lines[1]).toMatch(/^▶ p00000/);
		expect(view.frame()).not.toMatch(/Stable \(3\)/);
		for (const line of lines) expect(cells(line)).toBeLessThanOrEqual(56);
		view.unmount();
	});

	it('with 10,000 projects draws only the rows on screen, tells the feed which, and scrolls as fast as with 10', () => {
		const measure = (perStage: number) => {
			let state = run(initialBoardState(), snapshot(listingOf(many(perStage))));
			const seen: string[][] = [];
			state = run(state, {type: 'attach', onVisible: keys => seen.push([...keys])});
			const view = draw(state);
			const started = performance.now();
			const presses = 200;
			for (let index = 0; index < presses; index++) {
				state = run(state, index % 50 === 49 ? {type: 'move-column', delta: index % 100 === 49 ? 1 : -1} : {type: 'move-row', delta: 1});
				view.update(state);
			}

			const perKey = (performance.now() - started) / presses;
			const frame = view.frame();
			view.unmount();
			return {perKey, frame, seen, state};
		};

		const small = measure(3);
		const large = measure(2500);
		const lines = large.frame.split('\n');
		// Five two-line cards per column under the headings, and the footer: nothing else was built.
		const names = large.frame.match(/p\d{5}/g) ?? [];
		expect(new Set(names).size).toBeLessThanOrEqual(4 * 5 + 1);
		expect(lines.length).toBeLessThanOrEqual(HEIGHT);
		expect(lines[0]).toMatch(/^Sandbox \(2500\) ↕ +Active \(2500\) ↕ +Stable \(2500\) ↓ +Public \(2500\) ↓$/);
		// The feed is told the visible cards: at most a page per column.
		const last = large.seen.at(-1)!;
		expect(last.length).toBe(20);
		expect(last.every(key => /^(sandbox|active|stable|public)\/p\d{5}$/.test(key))).toBe(true);
		console.info(`board keypress → frame: ${small.perKey.toFixed(2)} ms with 12 projects, ${large.perKey.toFixed(2)} ms with 10,000`);
		expect(large.perKey).toBeLessThan((small.perKey * 3) + 5);
	});

	it('turns a page when the selection leaves it, with ↑/↓ in the heading', () => {
		let state = run(initialBoardState(), snapshot(listingOf(many(12))));
		state = run(state, {type: 'edge', edge: 'bottom'});
		const view = draw(state);
		const frame = view.frame();
		expect(frame).toMatch(/^Sandbox \(12\) ↑/);
		expect(frame).toContain('▶ p00011');
		const sandbox = frame.split('\n').slice(0, 11).map(line => line.slice(0, 19));
		expect(sandbox.join('\n')).not.toContain('p00006');
		expect(sandbox.filter(line => /p000(0[7-9]|1[01])/.test(line))).toHaveLength(5);
		view.unmount();
	});
});
