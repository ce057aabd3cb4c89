import {parseArgs} from 'node:util';
import {UsageError, errnoCode} from '../core/errors.js';
import type {CliCommand, CliOption} from './types.js';

/** Flags every subcommand accepts besides its own. */
export const COMMON_OPTIONS: Record<string, CliOption> = {
	workspace: {type: 'string', description: 'root folder (default $CWS_WORKSPACE or ~/claude-workspace)', valueName: 'dir'},
	help: {type: 'boolean', short: 'h', description: 'show this help'},
};

/** Flags of `cws` itself (the full-screen workspace). */
export const TOP_OPTIONS: Record<string, CliOption> = {
	...COMMON_OPTIONS,
	version: {type: 'boolean', short: 'V', description: 'print the version'},
	'no-color': {type: 'boolean', description: 'draw without colours (also: NO_COLOR=1)'},
};

/** The outcome of matching argv against the command table. */
export type Invocation = {
	/** undefined: `cws` itself (the TUI, --help or --version). */
	command: CliCommand | undefined;
	positionals: string[];
	values: Record<string, unknown>;
};

/**
 * Finds the subcommand (the longest run of leading words naming one, so
 * 'queue retry' wins over 'queue') and parses the rest strictly with that
 * command's flags. Throws UsageError naming the unknown command or flag.
 */
export function parseInvocation(argv: string[], commands: CliCommand[]): Invocation {
	const words = leadingWords(argv);
	const byName = new Map(commands.map(command => [command.name, command]));
	let command: CliCommand | undefined;
	let used = 0;
	for (let count = words.length; count > 0; count--) {
		const candidate = byName.get(words.slice(0, count).map(word => word.value).join(' '));
		if (candidate) {
			command = candidate;
			used = count;
			break;
		}
	}

	const first = words[0];
	if (!command && first !== undefined && first.value !== 'help') {
		throw new UsageError(`cws: unknown command '${first.value}'.${suggest(first.value, commands)} Run \`cws --help\` to see the commands.`, '');
	}

	if (!command && first?.value === 'help') {
		// `cws help [command]` reads as `cws [command] --help`.
		const rest = argv.filter((_, index) => index !== first.index);
		const inner = parseInvocation(rest.length === 0 ? ['--help'] : [...rest, '--help'], commands);
		return inner;
	}

	const skip = new Set(words.slice(0, used).map(word => word.index));
	const rest = argv.filter((_, index) => !skip.has(index));
	const options = command ? {...COMMON_OPTIONS, ...command.options} : TOP_OPTIONS;
	const where = command ? `cws ${command.name}` : 'cws';
	let parsed;
	try {
		parsed = parseArgs({
			args: rest,
			options: Object.fromEntries(Object.entries(options).map(([name, option]) => [
				name,
				{type: option.type, multiple: option.multiple ?? false, ...(option.short ? {short: option.short} : {})},
			])),
			allowPositionals: true,
			strict: true,
		});
	} catch (error) {
		throw new UsageError(describeParseError(error, where, rest), '');
	}

	const {positionals, values} = parsed;
	if (values['help'] !== true) {
		checkPositionals(command, positionals, where);
	}

	return {command, positionals, values: values as Record<string, unknown>};
}

/** Words before the first flag-looking token, with their places in argv; --workspace's value is skipped. */
function leadingWords(argv: string[]): Array<{value: string; index: number}> {
	const words: Array<{value: string; index: number}> = [];
	for (let index = 0; index < argv.length; index++) {
		const token = argv[index]!;
		if (token === '--') {
			break;
		}

		if (token.startsWith('-')) {
			if (words.length > 0) {
				// Flags after the command words end the search for a longer name.
				break;
			}

			if (token === '--workspace') {
				index++;
			}

			continue;
		}

		words.push({value: token, index});
	}

	return words;
}

function checkPositionals(command: CliCommand | undefined, positionals: string[], where: string): void {
	const {min, max} = command?.positionals ?? {min: 0, max: 0};
	const usage = command ? `; usage: ${command.usage}` : '';
	if (positionals.length > max) {
		const extra = positionals[max]!;
		throw new UsageError(
			max === 0
				? `${where}: unexpected argument '${extra}'${usage}. Run \`${where} --help\`.`
				: `${where}: too many arguments (from '${extra}')${usage}. Run \`${where} --help\`.`,
			'',
		);
	}

	if (positionals.length < min) {
		throw new UsageError(`${where}: missing argument${usage}. Run \`${where} --help\`.`, '');
	}
}

function describeParseError(error: unknown, where: string, args: string[]): string {
	const message = error instanceof Error ? error.message : String(error);
	const code = errnoCode(error);
	const help = `Run \`${where} --help\` to see its flags.`;
	if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
		const flag = /'([^']+)'/.exec(message)?.[1] ?? args.find(arg => arg.startsWith('-')) ?? '?';
		return `${where}: unknown flag '${flag}'. ${help}`;
	}

	if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
		const flag = /'(-[^' ]+)/.exec(message)?.[1] ?? 'a flag';
		return message.includes('argument missing')
			? `${where}: ${flag} needs a value. ${help}`
			: `${where}: ${flag} takes no value. ${help}`;
	}

	return `${where}: ${message.split('\n')[0]} ${help}`;
}

function suggest(word: string, commands: CliCommand[]): string {
	const names = [...new Set(commands.map(command => command.name.split(' ')[0]!))];
	const close = names.filter(name => distance(name, word) <= 2 || name.startsWith(word));
	return close.length === 1 ? ` Did you mean '${close[0]}'?` : '';
}

function distance(a: string, b: string): number {
	let previous = Array.from({length: b.length + 1}, (_, index) => index);
	for (let i = 1; i <= a.length; i++) {
		const current = [i];
		for (let j = 1; j <= b.length; j++) {
			current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
		}

		previous = current;
	}

	return previous[b.length]!;
}
