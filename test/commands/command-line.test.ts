import {describe, expect, it} from 'vitest';
import {decideEnter, parseCommandLine, searchCommands} from '../../source/commands/command-line.js';
import {appCommands} from '../../source/commands/app.js';
import {resolveKey} from '../../source/commands/dispatch.js';
import {fuzzyScore} from '../../source/commands/fuzzy.js';
import {buildRegistry} from '../../source/commands/registry.js';
import type {CommandContext} from '../../source/commands/types.js';

const registry = buildRegistry();
const ctx = (patch: Partial<CommandContext> = {}): CommandContext => ({
	services: {} as CommandContext['services'],
	focus: 'board',
	overlay: undefined,
	panes: {},
	args: '',
	bang: false,
	shuttingDown: false,
	bannerShown: false,
	...patch,
});

describe('the command line', () => {
	it('parses a name, a bang and arguments', () => {
		expect(parseCommandLine('cexit')).toEqual({name: 'cexit', bang: false, args: ''});
		expect(parseCommandLine(':cexit! ')).toEqual({name: 'cexit', bang: true, args: ''});
		expect(parseCommandLine('sync  web --now')).toEqual({name: 'sync', bang: false, args: 'web --now'});
	});

	it('finds cexit first when typing cex', () => {
		expect(searchCommands(registry, 'cex', ctx())[0]!.command.id).toBe('app.cexit');
	});

	it('matches by title and by id too, and never lists hidden dialog plumbing', () => {
		expect(searchCommands(registry, 'command log', ctx())[0]!.command.id).toBe('app.log');
		expect(searchCommands(registry, 'focus.queue', ctx())[0]!.command.id).toBe('focus.queue');
		expect(searchCommands(registry, '', ctx()).some(item => item.command.hidden)).toBe(false);
	});

	it('says why a command of another pane cannot run', () => {
		const own = buildRegistry([...appCommands, {id: 'board.down', title: 'Down', group: 'Board', scope: 'board', keys: ['j'], run: () => undefined}]);
		const item = searchCommands(own, 'board.down', ctx({focus: 'queue'}))[0]!;
		expect(item.command.id).toBe('board.down');
		expect(item.disabledReason).toMatch(/board pane \(press 1/);
	});

	it('runs cexit typed in full, with or without a bang', () => {
		const plain = decideEnter(registry, 'cexit', undefined, ctx());
		expect(plain).toMatchObject({kind: 'run', bang: false});
		expect(plain.kind === 'run' && plain.command.id).toBe('app.cexit');
		expect(decideEnter(registry, 'cexit!', undefined, ctx())).toMatchObject({kind: 'run', bang: true});
	});

	it('completes cexit picked from a fuzzy match instead of running it, so a stray Enter never leaves', () => {
		const selected = searchCommands(registry, 'cex', ctx())[0];
		expect(decideEnter(registry, 'cex', selected, ctx())).toEqual({kind: 'complete', text: 'cexit', note: 'Enter again runs cexit'});
	});

	it('runs cexit picked with the arrow keys, from a partial name or an empty line', () => {
		const selected = searchCommands(registry, 'cex', ctx())[0];
		const picked = decideEnter(registry, 'cex', selected, ctx(), true);
		expect(picked).toMatchObject({kind: 'run', args: '', bang: false});
		expect(picked.kind === 'run' && picked.command.id).toBe('app.cexit');
		const fromEmpty = searchCommands(registry, '', ctx()).find(item => item.command.id === 'app.cexit');
		expect(decideEnter(registry, '', fromEmpty, ctx(), true)).toMatchObject({kind: 'run'});
		expect(decideEnter(registry, '', fromEmpty, ctx(), false)).toEqual({kind: 'close'});
	});

	it('runs the selected match for ordinary commands, closes on an empty line, reports unknown names', () => {
		const selected = searchCommands(registry, 'help', ctx())[0];
		expect(decideEnter(registry, 'hel', selected, ctx())).toMatchObject({kind: 'run'});
		expect(decideEnter(registry, '   ', undefined, ctx())).toEqual({kind: 'close'});
		expect(decideEnter(registry, 'zzzz', undefined, ctx())).toEqual({kind: 'unknown', name: 'zzzz'});
	});

	it('scores runs and word starts above scattered matches', () => {
		expect(fuzzyScore('cex', 'cexit')!).toBeGreaterThan(fuzzyScore('cex', 'close explorer x')!);
		expect(fuzzyScore('xyz', 'cexit')).toBeUndefined();
	});
});

describe('the dispatcher', () => {
	const state = {focus: 'board' as const, overlay: undefined, textInput: false};

	it('prefers the focused pane, then global', () => {
		const own = buildRegistry([
			...appCommands,
			{id: 'board.down', title: 'Down', group: 'Board', scope: 'board', keys: ['j'], run: () => undefined},
		]);
		expect(resolveKey(own, state, {name: 'j', text: 'j'})).toMatchObject({kind: 'command', command: {id: 'board.down'}});
		expect(resolveKey(own, state, {name: '?', text: '?'})).toMatchObject({kind: 'command', command: {id: 'app.help'}});
		expect(resolveKey(own, {...state, focus: 'queue'}, {name: 'j', text: 'j'})).toEqual({kind: 'none'});
		expect(resolveKey(own, {...state, focus: 'queue'}, {name: '?', text: '?'})).toMatchObject({kind: 'command', command: {id: 'app.help'}});
	});

	it('gives an open overlay its own keys, then its text field; only "anywhere" global keys get through', () => {
		const palette = {focus: 'board' as const, overlay: 'palette' as const, textInput: true};
		expect(resolveKey(registry, palette, {name: 'esc'})).toMatchObject({command: {id: 'palette.close'}});
		expect(resolveKey(registry, palette, {name: 'ctrl+g'})).toMatchObject({command: {id: 'palette.close'}});
		expect(resolveKey(registry, palette, {name: 'q', text: 'q'})).toEqual({kind: 'text', press: {name: 'q', text: 'q'}});
		expect(resolveKey(registry, palette, {name: 'ctrl+c'})).toMatchObject({command: {id: 'app.interrupt'}});
		expect(resolveKey(registry, palette, {name: 'tab'})).toMatchObject({command: {id: 'palette.complete'}});
		expect(resolveKey(registry, {...palette, overlay: 'log', textInput: false}, {name: '?', text: '?'})).toEqual({kind: 'none'});
	});
});
