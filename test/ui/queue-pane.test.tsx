import {render} from 'ink-testing-library';
import {describe, expect, it} from 'vitest';
import {makeTheme} from '../../source/ui/theme.js';
import {jobRow, needingAttention, rowText, spinnerFrame, statsLine} from '../../source/ui/panes/queue/rows.js';
import {initialQueueState, queueSnapshot, reduceQueue, visibleJobs, type QueueState} from '../../source/ui/panes/queue/state.js';
import {queueSummary} from '../../source/ui/panes/queue/summary.js';
import {QueueView} from '../../source/ui/panes/queue/view.js';
import {job, NOW, snapshotOf} from './queue-fixtures.js';

// eslint-disable-next-line no-control-regex
const ansi = /\u001B\[[0-9;?]*[A-Za-z]/g;

/** Draws the pane at the size it has in an 80x24 terminal (36x6 inside its border). */
function draw(state: QueueState, size = {width: 36, height: 6}, focused = true): string[] {
	const instance = render(<QueueView state={state} focused={focused} width={size.width} height={size.height} theme={makeTheme(false)} />);
	const lines = (instance.lastFrame() ?? '').replaceAll(ansi, '').split('\n');
	instance.unmount();
	return lines;
}

const withJobs = (jobs: ReturnType<typeof job>[], now = NOW, stats = {}): QueueState =>
	reduceQueue(reduceQueue(initialQueueState(), {type: 'snapshot', snapshot: snapshotOf(jobs, stats)}), {type: 'tick', now});

describe('queue pane reducer', () => {
	it('keeps the cursor on its job when a newer job arrives on top, and on the same row when its job is pruned', () => {
		const [a, b, c] = [job({id: '00000000a-00000001'}), job({id: '00000000b-00000002'}), job({id: '00000000c-00000003'})];
		let state = withJobs([b, a]);
		state = reduceQueue(state, {type: 'move', delta: 1});
		expect(queueSnapshot(state).selection?.id).toBe(a.id);
		state = reduceQueue(state, {type: 'snapshot', snapshot: snapshotOf([c, b, a])});
		expect(queueSnapshot(state).selection?.id).toBe(a.id);
		state = reduceQueue(state, {type: 'snapshot', snapshot: snapshotOf([c, b])});
		expect(queueSnapshot(state).selection?.id).toBe(b.id);
	});

	it('clamps moves to the list and returns the same state when nothing changes', () => {
		const state = withJobs([job(), job()]);
		expect(reduceQueue(state, {type: 'move', delta: -1})).toBe(state);
		const last = reduceQueue(state, {type: 'move', delta: 10});
		expect(last.selectedIndex).toBe(1);
		expect(reduceQueue(last, {type: 'edge', to: 'last'})).toBe(last);
		expect(reduceQueue(last, {type: 'tick', now: NOW})).toBe(last);
		expect(reduceQueue(last, {type: 'snapshot', snapshot: last.snapshot!})).toBe(last);
	});

	it('filters by state in turn (all, unfinished, problems, done) and keeps a selection that stays listed', () => {
		const running = job({state: 'running', startedAt: NOW - 5000});
		const done = job({state: 'done', finishedAt: NOW - 1000});
		const dead = job({state: 'dead', finishedAt: NOW - 1000});
		let state = withJobs([running, done, dead]);
		state = reduceQueue(state, {type: 'filter'});
		expect(state.filter).toBe('unfinished');
		expect(visibleJobs(state).map(item => item.state)).toEqual(['running']);
		state = reduceQueue(state, {type: 'filter'});
		expect(visibleJobs(state).map(item => item.state)).toEqual(['dead']);
		expect(queueSnapshot(state).selection?.id).toBe(dead.id);
		state = reduceQueue(state, {type: 'filter'});
		expect(visibleJobs(state).map(item => item.state)).toEqual(['done']);
		state = reduceQueue(state, {type: 'filter'});
		expect(state.filter).toBe('all');
		expect(reduceQueue(state, {type: 'filter', filter: 'all'})).toBe(state);
	});

	it('selects a job queued a moment ago as soon as a snapshot lists it', () => {
		const older = job();
		const fresh = job({id: '0zzzzzzzz-0000abcd'});
		let state = withJobs([older]);
		state = reduceQueue(state, {type: 'select', id: fresh.id});
		expect(queueSnapshot(state).selection?.id).toBe(older.id);
		state = reduceQueue(state, {type: 'snapshot', snapshot: snapshotOf([fresh, older])});
		expect(queueSnapshot(state).selection?.id).toBe(fresh.id);
	});

	it('gives commands the selected job as data', () => {
		const state = withJobs([job({state: 'running', attempt: 2, cancelRequested: true})]);
		expect(queueSnapshot(state)).toMatchObject({
			count: 1,
			selection: {kind: 'job', label: 'web → origin', data: {state: 'running', attempt: 2, maxAttempts: 5, cancelRequested: true}},
		});
		expect(queueSnapshot(initialQueueState())).toEqual({count: 0});
	});
});

describe('queue pane rows', () => {
	it('counts down to the next retry as the clock ticks', () => {
		const failed = job({state: 'failed', attempt: 2, dueAt: NOW + 40_000, lastError: {code: 'X', message: 'host unreachable'}});
		expect(jobRow(failed, NOW).status).toBe('retry 3/5 in 40s');
		expect(jobRow(failed, NOW + 25_000).status).toBe('retry 3/5 in 15s');
		expect(jobRow(failed, NOW + 90_000).status).toBe('retry 3/5 in 0s');
		let state = withJobs([failed]);
		expect(draw(state).join('\n')).toContain('retry 3/5 in 40s');
		state = reduceQueue(state, {type: 'tick', now: NOW + 25_000});
		expect(draw(state).join('\n')).toContain('retry 3/5 in 15s');
	});

	it('shows a turning spinner, the attempt and the elapsed time while a job runs', () => {
		const running = job({state: 'running', attempt: 1, startedAt: NOW - 12_000});
		const first = jobRow(running, NOW);
		const later = jobRow(running, NOW + 250);
		expect(first.status).toBe('running 1/5 12s');
		expect(first.icon).toBe(spinnerFrame(NOW));
		expect(later.icon).not.toBe(first.icon);
		const state = reduceQueue(withJobs([running]), {type: 'tick', now: NOW, commands: {[running.id]: 'git push --porcelain -- origin main'}});
		const lines = draw(state, {width: 76, height: 6});
		const row = lines.find(line => line.includes('web → origin'))!;
		expect(row).toContain(`${spinnerFrame(NOW)} web → origin running 1/5 12s · $ git push --porcelain`);
		// A cancel asked for while it runs.
		expect(jobRow({...running, cancelRequested: true}, NOW).status).toBe('stopping 1/5 12s');
	});

	it('says what finished jobs did, and how long ago', () => {
		expect(jobRow(job({state: 'done', finishedAt: NOW - 180_000}), NOW).status).toBe('done 3m ago');
		expect(jobRow(job({state: 'dead', attempt: 5, finishedAt: NOW - 7_200_000}), NOW).status).toBe('dead 5/5 2h ago');
		expect(jobRow(job({state: 'conflict', finishedAt: NOW - 1000}), NOW)).toMatchObject({icon: '!', status: 'conflict 1s ago', tone: 'error'});
		expect(jobRow(job({state: 'pending', createdAt: NOW - 3000}), NOW).status).toBe('queued 3s');
	});

	it('never lets a control character through: names and errors show escapes as visible pictures', () => {
		const hostile = job({state: 'failed', dueAt: NOW + 1000, target: {name: 'origin', kind: 'git', remote: 'origin', autoCommit: false}, lastError: {code: 'X', message: 'remote said \u001B[2J\u001B]0;pwned\u0007 boom'}});
		const row = rowText(jobRow(hostile, NOW), 76, '  ', 20);
		expect(row).not.toMatch(/[\u0000-\u001F\u007F-\u009F]/);
		expect(row).toContain('␛[2J␛]0;pwned␇ boom');
	});

	it('fits every line in the pane at 80x24 (36 columns), with a long name and many jobs', () => {
		const jobs = [
			job({project: 'a-very-long-project-name-that-goes-on', state: 'failed', attempt: 4, dueAt: NOW + 599_000, lastError: {code: 'X', message: 'x'.repeat(200)}}),
			...Array.from({length: 20}, (_, index) => job({state: index % 2 === 0 ? 'done' : 'pending', finishedAt: NOW - 10_000})),
		];
		const lines = draw(withJobs(jobs, NOW, {depth: 12345, dead: 3, conflict: 2, waitP50Ms: 3_600_000, waitP95Ms: 86_400_000 * 3}));
		expect(lines.length).toBeLessThanOrEqual(6);
		for (const line of lines) expect([...line].length, line).toBeLessThanOrEqual(36);
		expect(lines[1]).toMatch(/^▶ ↻ a-very-long-pro…/);
	});

	it('turns a page when the cursor leaves the visible rows', () => {
		const jobs = Array.from({length: 12}, (_, index) => job({project: `p${index}`}));
		let state = withJobs(jobs);
		state = reduceQueue(state, {type: 'move', delta: 5});
		const lines = draw(state);
		expect(lines[1]).toContain('▶ · p5');
		expect(lines.join('\n')).not.toContain('p4 ');
	});
});

describe('queue pane stats and empty states', () => {
	it('answers "is my work safe" in the widest form that fits', () => {
		const stats = {...snapshotOf([]).stats, depth: 3, running: 1, pending: 2, conflict: 1};
		expect(statsLine(stats, 200)).toBe('depth 3 (1 running, 2 waiting, 0 retrying) · wait p50 2s p95 9s · 96% ok of 25 in 24 h · 1 needs you');
		expect(statsLine(stats, 60)).toBe('depth 3 · wait p50 2s p95 9s · 96% ok in 24 h · 1 needs you');
		expect(statsLine(stats, 36)).toBe('depth 3 · p50 2s p95 9s · 96% ok');
		expect(statsLine(stats, 24)).toBe('depth 3 · 96% ok · 1✗');
		expect(statsLine({...stats, waitP50Ms: undefined, waitP95Ms: undefined, successRate24h: undefined, conflict: 0}, 36)).toBe('depth 3 · p50 – p95 – · no syncs 24h');
	});

	it('says how to get a job when there is none, and what a filter hides', () => {
		expect(draw(withJobs([])).join('\n')).toContain('No sync jobs. Press s on a board');
		const state = reduceQueue(reduceQueue(withJobs([job({state: 'done', finishedAt: NOW})]), {type: 'filter'}), {type: 'tick', now: NOW + 1});
		expect(draw(state).join('\n')).toContain('No unfinished jobs. 1 hidden (f)');
		expect(draw(initialQueueState()).join('\n')).toContain('reading the sync queue');
	});

	it('puts what needs the person first in the border', () => {
		const dead = job({state: 'dead', createdAt: NOW - 5000});
		expect(queueSummary(withJobs([dead], NOW, {dead: 1, running: 1, depth: 3}))).toBe('1 needs you · 1 running · 2 waiting');
		// A later round for the same target settles it.
		const redone = job({state: 'done', createdAt: NOW - 1000});
		expect(needingAttention([redone, dead])).toBe(0);
		expect(needingAttention([redone, dead, job({project: 'api', state: 'conflict'})])).toBe(1);
		expect(queueSummary(withJobs([redone, dead], NOW, {dead: 1}))).toBe('2 jobs');
		expect(queueSummary(withJobs([job({state: 'done'})]))).toBe('1 job');
		expect(queueSummary(reduceQueue(withJobs([job()]), {type: 'filter', filter: 'problems'}))).toBe('problems · 1 job');
		expect(queueSummary(reduceQueue(withJobs([job()], NOW, {running: 1, depth: 1}), {type: 'filter', filter: 'unfinished'}))).toBe('unfinished · 1 running');
		expect(queueSummary(initialQueueState())).toBeUndefined();
	});
});
