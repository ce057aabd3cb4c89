import {render} from 'ink-testing-library';
import {describe, expect, it} from 'vitest';
import type {ProcessEntry} from '../../source/core/processes/index.js';
import {initialProcessesState, processesSnapshot, processesSummary, reduceProcesses, type ProcessesAction, type ProcessesState} from '../../source/ui/panes/processes/state.js';
import {ProcessesView} from '../../source/ui/panes/processes/view.js';
import type {ProcessFeedSnapshot} from '../../source/ui/shared/process-feed.js';
import {makeTheme} from '../../source/ui/theme.js';

const NOW = Date.parse('2026-11-26T12:00:00Z');

/** A listed process with plausible defaults. */
function entry(pid: number, fields: Partial<ProcessEntry> = {}): ProcessEntry {
	return {
		pid, ppid: 1, pgid: pid, uid: 1000, user: 'dev', startTime: pid * 10, startedAt: NOW - pid * 1000, state: 'S',
		comm: 'node', argv: ['node', `server-${pid}.js`], command: `node server-${pid}.js`, name: 'node', exe: '/usr/bin/node',
		exeDeleted: false, cwd: '/ws/active/web', rssBytes: pid * 1024 * 1024, cpuTicks: 0, cpuPercent: 0,
		inWorkspace: true, project: 'active/web', stage: 'active', protection: {protected: false, reasons: []}, groupSize: 0,
		...fields,
	};
}

function listing(entries: ProcessEntry[], fields: Partial<ProcessFeedSnapshot> = {}): ProcessesAction {
	return {type: 'listing', snapshot: {status: 'ready', scope: 'workspace', takenAt: NOW, entries, projectCounts: new Map(), costMs: 1, error: undefined, ...fields}};
}

const run = (actions: ProcessesAction[], state = initialProcessesState()): ProcessesState => actions.reduce(reduceProcesses, state);
const pids = (state: ProcessesState): number[] => state.rows.map(row => row.pid);

const three = [
	entry(101, {cpuPercent: 5, rssBytes: 300 << 20, startedAt: NOW - 60_000}),
	entry(102, {cpuPercent: 50, rssBytes: 100 << 20, startedAt: NOW - 5000}),
	entry(103, {cpuPercent: 20, rssBytes: 200 << 20, startedAt: NOW - 3_600_000, project: 'sandbox/api', name: 'python', command: 'python -m http.server'}),
];

describe('process pane reducer', () => {
	it('sorts by CPU, memory, newest and pid, the sort key cycling through them', () => {
		let state = run([listing(three)]);
		expect(state.sort).toBe('cpu');
		expect(pids(state)).toEqual([102, 103, 101]);
		state = reduceProcesses(state, {type: 'sort'});
		expect([state.sort, pids(state)]).toEqual(['memory', [101, 103, 102]]);
		state = reduceProcesses(state, {type: 'sort'});
		expect([state.sort, pids(state)]).toEqual(['age', [102, 101, 103]]);
		state = reduceProcesses(state, {type: 'sort'});
		expect([state.sort, pids(state)]).toEqual(['pid', [101, 102, 103]]);
		state = reduceProcesses(state, {type: 'sort'});
		expect(state.sort).toBe('cpu');
	});

	it('keeps the selection on the same pid across refreshes and re-sorts', () => {
		let state = run([listing(three), {type: 'move', delta: 1}]);
		expect(state.selectedPid).toBe(103);
		// 103 becomes the busiest: it moves to the top and the selection goes with it.
		state = reduceProcesses(state, listing([three[0]!, three[1]!, {...three[2]!, cpuPercent: 90}]));
		expect(pids(state)[0]).toBe(103);
		expect(state.selected).toBe(0);
		expect(processesSnapshot(state).selection?.id).toBe('103');
		state = reduceProcesses(state, {type: 'sort', sort: 'pid'});
		expect(state.rows[state.selected]?.pid).toBe(103);
		// When it exits, the row at the same place is selected.
		state = reduceProcesses(state, listing([three[0]!, three[1]!]));
		expect(state.selectedPid).toBe(102);
	});

	it('filters by pid, name, user, project or command line, ignoring case', () => {
		const state = run([listing(three), {type: 'filter', text: 'API'}]);
		expect(pids(state)).toEqual([103]);
		expect(pids(reduceProcesses(state, {type: 'filter', text: 'HTTP.server'}))).toEqual([103]);
		expect(pids(reduceProcesses(state, {type: 'filter', text: '102'}))).toEqual([102]);
		expect(pids(reduceProcesses(state, {type: 'filter', text: 'nothing-like-this'}))).toEqual([]);
		expect(pids(reduceProcesses(state, {type: 'filter', text: '  '}))).toEqual([102, 103, 101]);
		expect(processesSummary(state)).toBe('1 workspace · CPU · /API');
	});

	it('holds the rows still while frozen (a confirmation is open) and catches up on thaw', () => {
		let state = run([listing(three), {type: 'move', delta: 2}]);
		expect(state.rows[state.selected]?.pid).toBe(101);
		state = reduceProcesses(state, {type: 'freeze'});
		const held = state.rows;
		// A refresh that would reorder everything and drop 102 changes nothing on screen.
		state = reduceProcesses(state, listing([{...three[0]!, cpuPercent: 99}, three[2]!, entry(104, {cpuPercent: 70})]));
		expect(state.rows).toBe(held);
		expect(state.selected).toBe(2);
		expect(state.entries.map(item => item.pid)).toEqual([101, 103, 104]);
		state = reduceProcesses(state, {type: 'thaw'});
		expect(pids(state)).toEqual([101, 104, 103]);
		expect(state.rows[state.selected]?.pid).toBe(101);
		expect(reduceProcesses(state, {type: 'thaw'})).toBe(state);
	});

	it('returns the same state for an unchanged listing and unknown actions', () => {
		const action = listing(three);
		const state = run([action]);
		expect(reduceProcesses(state, action)).toBe(state);
		expect(reduceProcesses(state, {type: 'no-such-action'} as unknown as ProcessesAction)).toBe(state);
	});
});

const theme = makeTheme(false);

function draw(state: ProcessesState, width = 36, height = 6, focused = true): string[] {
	const instance = render(<ProcessesView state={state} focused={focused} width={width} height={height} theme={theme} />);
	// eslint-disable-next-line no-control-regex
	const lines = (instance.lastFrame() ?? '').replaceAll(/\u001B\[[0-9;]*m/g, '').split('\n');
	instance.unmount();
	return lines;
}

describe('process pane view', () => {
	it('fits a 36-column pane (80×24): pid, the sort column, project and command, details at the bottom', () => {
		const lines = draw(run([listing(three)]));
		expect(lines[0]).toMatch(/PID +CPU% PROJECT +COMMAND/);
		expect(lines[1]).toMatch(/^▶ +102 +50\.0 web +node server-1…$/);
		expect(lines[2]).toMatch(/103 +20\.0 api +python -m htt…$/);
		expect(lines.at(-1)).toContain('active/web · dev · 100M · up 5s');
		for (const line of lines) expect([...line].length).toBeLessThanOrEqual(36);
	});

	it('shows the sort column first when room is short, and more columns when there is room', () => {
		const narrow = draw(run([listing(three), {type: 'sort', sort: 'memory'}]));
		expect(narrow[0]).toMatch(/PID +RSS PROJECT +COMMAND/);
		const wide = draw(run([listing(three)]), 90, 8);
		expect(wide[0]).toMatch(/PID USER +CPU% +RSS +AGE PROJECT +COMMAND/);
		expect(wide[1]).toMatch(/102 dev +50\.0 +100M +5s web +node server-102\.js/);
	});

	it('marks protected processes and group leaders, and names the protecting rule', () => {
		const state = run([listing([
			entry(201, {cpuPercent: 9, protection: {protected: true, reasons: [{source: 'rule', ruleId: 'default-editor-vim', text: 'rule default-editor-vim: editor (vim)'}]}}),
			entry(202, {groupSize: 3}),
		])]);
		const lines = draw(state, 60, 8);
		expect(lines[1]).toMatch(/^▶⊘  +201/);
		expect(lines[2]).toMatch(/^  ≡ +202/);
		expect(lines.at(-2)).toBe('⊘ rule default-editor-vim: editor (vim)');
		expect(lines.at(-1)).toContain('active/web · dev');
		// At 80×24 there is room for one details line: the rule.
		expect(draw(state).at(-1)).toMatch(/^⊘ rule default-editor-vim/);
	});

	it('escapes control characters of command lines and cuts them to the width', () => {
		const nasty = entry(301, {command: 'evil \u001B[2J\u001B]0;owned\u0007 \u202Egnp.exe with a very long tail of arguments', name: 'evil\nname', user: 'dev'});
		const lines = draw(run([listing([nasty])]), 90, 8);
		const text = lines.join('\n');
		expect(text).not.toMatch(/[\u0000-\u0009\u000B-\u001F\u007F\u202E]/);
		expect(lines[1]).toContain('evil \\e[2J\\e]0;owned\\x07 \\u202egnp');
		expect(lines[1]).toMatch(/…$/);
		for (const line of lines) expect([...line].length).toBeLessThanOrEqual(90);
		// Drawn raw, nothing but Ink's own colour codes remain.
		const instance = render(<ProcessesView state={run([listing([nasty])])} focused width={90} height={8} theme={theme} />);
		expect((instance.lastFrame() ?? '').replaceAll(/\u001B\[[0-9;]*m/g, '')).not.toContain('\u001B');
		instance.unmount();
	});

	it('says what is missing: loading, nothing in the workspace, nothing matching the filter', () => {
		expect(draw(initialProcessesState())[0]).toBe('listing processes…');
		expect(draw(run([listing([])]))[0]).toBe('No workspace processes.');
		expect(draw(run([listing(three), {type: 'filter', text: 'zzz'}]))[0]).toBe('No process matches /zzz.');
	});

	it('turns a page when the selection leaves the visible rows', () => {
		const many = Array.from({length: 12}, (_, index) => entry(400 + index));
		let state = run([listing(many), {type: 'sort', sort: 'pid'}]);
		expect(draw(state)[1]).toMatch(/^▶ +400/);
		state = run([{type: 'move', delta: 4}], state);
		const lines = draw(state);
		expect(lines[1]).toMatch(/^▶ +404/);
		expect(lines[4]).toMatch(/^ +407/);
	});
});
