import {describe, expect, it} from 'vitest';
import {appCommands} from '../../source/commands/app.js';
import {buildRegistry, DEFAULT_COMMANDS, findByName, findClashes, findDefects} from '../../source/commands/registry.js';
import {OVERLAY_IDS, PANE_IDS, type Command} from '../../source/commands/types.js';

describe('the command table', () => {
	it('has unique ids, dotted, and only key names the program can produce', () => {
		const ids = DEFAULT_COMMANDS.map(command => command.id);
		expect(new Set(ids).size).toBe(ids.length);
		for (const id of ids) expect(id).toMatch(/^[a-z]+(\.[a-z0-9-]+)+$/);
		expect(findDefects(DEFAULT_COMMANDS)).toEqual([]);
	});

	it('has no key that triggers two commands in one scope, and no pane key hiding a global one', () => {
		expect(findClashes(DEFAULT_COMMANDS)).toEqual([]);
	});

	it('gives every scope a known name, and every Esc a second key (tmux delays Esc)', () => {
		const scopes = new Set<string>(['global', ...PANE_IDS, ...OVERLAY_IDS]);
		for (const command of DEFAULT_COMMANDS) {
			expect(scopes.has(command.scope), command.id).toBe(true);
			if (command.keys.includes('esc')) expect(command.keys, command.id).toContain('ctrl+g');
		}
	});

	it('binds no key to cexit: it is only ever typed', () => {
		const cexit = DEFAULT_COMMANDS.find(command => command.id === 'app.cexit')!;
		expect(cexit.keys).toEqual([]);
		expect(cexit.exactOnly).toBe(true);
	});

	it('answers Ctrl+C, Ctrl+D and Ctrl+\\ everywhere, and q, Q, Z, Esc outside dialogs, with the leave hint', () => {
		const interrupt = appCommands.find(command => command.id === 'app.interrupt')!;
		expect(interrupt.keys).toEqual(expect.arrayContaining(['ctrl+c', 'ctrl+d', 'ctrl+\\']));
		expect(interrupt.anywhere).toBe(true);
		const leave = appCommands.find(command => command.id === 'app.leave-hint')!;
		expect(leave.keys).toEqual(expect.arrayContaining(['q', 'Q', 'Z', 'esc']));
	});
});

describe('buildRegistry with user overrides', () => {
	it('applies a valid override by id', () => {
		const registry = buildRegistry(DEFAULT_COMMANDS, {'app.log': 'L', 'board.down': ['j', 'ctrl+n']});
		expect(registry.warnings).toEqual([]);
		expect(registry.keymap.get('global')!.get('L')!.id).toBe('app.log');
		expect(registry.keymap.get('global')!.has('@')).toBe(false);
		expect(registry.keymap.get('board')!.get('ctrl+n')!.id).toBe('board.down');
	});

	it('warns about unknown ids and unknown key names, keeping defaults', () => {
		const registry = buildRegistry(DEFAULT_COMMANDS, {'app.nope': 'x', 'app.help': 'hyper+q', 'app.log': 5 as unknown as string});
		expect(registry.warnings).toHaveLength(3);
		expect(registry.warnings.join('\n')).toMatch(/unknown command 'app\.nope'/);
		expect(registry.warnings.join('\n')).toMatch(/app\.help: unknown key 'hyper\+q'/);
		expect(registry.byId.get('app.help')!.keys).toEqual(['?']);
		expect(registry.byId.get('app.log')!.keys).toEqual(['@']);
	});

	it('refuses an override that clashes, in its scope or by hiding a global key, and keeps the defaults', () => {
		const sameScope = buildRegistry(DEFAULT_COMMANDS, {'app.log': '?'});
		expect(sameScope.warnings).toEqual([expect.stringMatching(/app\.log: '\?' is already used by app\.help/)]);
		expect(sameScope.keymap.get('global')!.get('?')!.id).toBe('app.help');
		expect(sameScope.byId.get('app.log')!.keys).toEqual(['@']);

		const hiding = buildRegistry(DEFAULT_COMMANDS, {'board.down': ':'});
		expect(hiding.warnings).toEqual([expect.stringMatching(/board\.down: ':' is already used by app\.palette/)]);
		expect(hiding.byId.get('board.down')!.keys).toEqual(['j', 'down']);
	});

	it('finds commands by command-line name or id', () => {
		const registry = buildRegistry();
		expect(findByName(registry, 'cexit')!.id).toBe('app.cexit');
		expect(findByName(registry, 'app.cexit')!.id).toBe('app.cexit');
		expect(findByName(registry, 'nothing')).toBeUndefined();
	});

	it('reports duplicate ids in a table', () => {
		const twice: Command[] = [DEFAULT_COMMANDS[0]!, DEFAULT_COMMANDS[0]!];
		expect(findDefects(twice)).toEqual([`duplicate command id ${DEFAULT_COMMANDS[0]!.id}`]);
	});
});
