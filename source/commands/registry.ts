import {appCommands} from './app.js';
import {boardCommands} from './board.js';
import {isValidKeyName} from './keys.js';
import {overlayCommands} from './overlays.js';
import {processCommands} from './processes.js';
import {queueCommands} from './queue.js';
import {PANE_IDS, type Command, type KeyName, type Scope} from './types.js';

/**
 * Every command of the program. A pane owner adds their array here (and
 * nowhere else): keys, help, palette, status bar and README follow.
 */
export const DEFAULT_COMMANDS: readonly Command[] = [
	...appCommands,
	...boardCommands,
	...queueCommands,
	...processCommands,
	...overlayCommands,
];

/** User key rebinding: command id → key name(s). */
export type KeyOverrides = Readonly<Record<string, string | readonly string[]>>;

/** Two commands that a key would both trigger. */
export type Clash = {key: KeyName; scope: Scope; first: string; second: string};

/** The command table with its key index, ready for dispatch. */
export type Registry = {
	commands: readonly Command[];
	byId: ReadonlyMap<string, Command>;
	/** scope → key → command */
	keymap: ReadonlyMap<Scope, ReadonlyMap<KeyName, Command>>;
	/** Problems found in user overrides (the defaults were kept for those commands). */
	warnings: string[];
};

const isPane = (scope: Scope): boolean => (PANE_IDS as readonly string[]).includes(scope);

/**
 * Keys that would trigger two commands: the same key twice in one scope; a
 * pane key that hides a global one (panes come first); a dialog key that
 * hides one of the few global keys that work inside dialogs.
 */
export function findClashes(commands: readonly Command[]): Clash[] {
	const clashes: Clash[] = [];
	const owner = new Map<string, string>();
	for (const command of commands) {
		for (const key of new Set(command.keys)) {
			const slot = `${command.scope}\u0000${key}`;
			const first = owner.get(slot);
			if (first) clashes.push({key, scope: command.scope, first, second: command.id});
			else owner.set(slot, command.id);
		}
	}

	for (const command of commands) {
		if (command.scope === 'global') continue;
		for (const key of command.keys) {
			const global = commands.find(other => other.scope === 'global' && other.keys.includes(key));
			if (global && (isPane(command.scope) || global.anywhere)) {
				clashes.push({key, scope: command.scope, first: global.id, second: command.id});
			}
		}
	}

	return clashes;
}

/** Duplicate ids and key names this program cannot produce. */
export function findDefects(commands: readonly Command[]): string[] {
	const defects: string[] = [];
	const seen = new Set<string>();
	for (const command of commands) {
		if (seen.has(command.id)) defects.push(`duplicate command id ${command.id}`);
		seen.add(command.id);
		if (command.anywhere && command.scope !== 'global') defects.push(`${command.id}: only global commands can work everywhere`);
		for (const key of command.keys) if (!isValidKeyName(key)) defects.push(`${command.id}: unknown key name '${key}'`);
	}

	return defects;
}

/** Normalises one override value, or says why it is unusable. */
function overrideKeys(id: string, value: unknown): {keys?: string[]; warning?: string} {
	const list = typeof value === 'string' ? [value] : Array.isArray(value) ? value : undefined;
	if (!list || !list.every(item => typeof item === 'string')) {
		return {warning: `keys for ${id} must be a key name or a list of key names; defaults kept`};
	}

	const bad = list.filter(key => !isValidKeyName(key));
	if (bad.length > 0) return {warning: `keys for ${id}: unknown key ${bad.map(key => `'${key}'`).join(', ')}; defaults kept`};
	return {keys: list};
}

/**
 * Builds the registry, applying user overrides. An override for an unknown
 * id, with an unknown key name, or whose keys clash with another command is
 * dropped with a warning, and that command keeps its default keys.
 */
export function buildRegistry(commands: readonly Command[] = DEFAULT_COMMANDS, overrides: KeyOverrides = {}): Registry {
	const warnings: string[] = [];
	const known = new Set(commands.map(command => command.id));
	const applied = new Map<string, string[]>();
	for (const [id, value] of Object.entries(overrides)) {
		if (!known.has(id)) {
			warnings.push(`keys for unknown command '${id}' ignored`);
			continue;
		}

		const {keys, warning} = overrideKeys(id, value);
		if (warning) warnings.push(warning);
		else applied.set(id, keys!);
	}

	const withOverrides = () => commands.map(command => (applied.has(command.id) ? {...command, keys: applied.get(command.id)!} : command));
	let current = withOverrides();
	for (;;) {
		const clash = findClashes(current).find(({first, second}) => applied.has(first) || applied.has(second));
		if (!clash) break;
		const reverted = applied.has(clash.second) ? clash.second : clash.first;
		const other = reverted === clash.second ? clash.first : clash.second;
		warnings.push(`keys for ${reverted}: '${clash.key}' is already used by ${other}; defaults kept`);
		applied.delete(reverted);
		current = withOverrides();
	}

	const keymap = new Map<Scope, Map<KeyName, Command>>();
	for (const command of current) {
		let scope = keymap.get(command.scope);
		if (!scope) keymap.set(command.scope, (scope = new Map()));
		for (const key of command.keys) if (!scope.has(key)) scope.set(key, command);
	}

	return {commands: current, byId: new Map(current.map(command => [command.id, command])), keymap, warnings};
}

/** The command a command-line name refers to: its id, or one of its names. */
export function findByName(registry: Registry, name: string): Command | undefined {
	return registry.byId.get(name) ?? registry.commands.find(command => command.names?.includes(name));
}
