import {COMMON_OPTIONS, TOP_OPTIONS} from './parse.js';
import type {CliCommand, CliOption} from './types.js';

/** `cws --help`: what cws is, then every subcommand on one line each. */
export function topHelp(commands: CliCommand[], version: string): string {
	const rows = commands.map(command => [command.name, command.summary] as const);
	const width = Math.min(22, Math.max(...rows.map(([name]) => name.length), 4) + 2);
	const lines = [
		`cws ${version}: a terminal workspace for projects, sync jobs and processes`,
		'',
		'Usage:',
		'  cws [--workspace <dir>]        open the full-screen workspace',
		'  cws <command> [flags]          run one command and exit',
		'  cws <command> --help           flags of one command',
		'',
		'Commands:',
		...rows.map(([name, summary]) => fit(`  ${pad(name, width)}${summary}`)),
		'',
		'Flags:',
		...optionLines(TOP_OPTIONS),
		'',
		'Exit codes: 0 success, 1 failure, 2 wrong usage.',
	];
	return lines.join('\n');
}

/** `cws <command> --help`: usage, summary and flags of one command. */
export function commandHelp(command: CliCommand): string {
	const lines = [
		`Usage: ${command.usage}`,
		'',
		...wrap(command.summary, HELP_WIDTH),
		'',
		'Flags:',
		...optionLines({...command.options, ...COMMON_OPTIONS}),
	];
	return lines.join('\n');
}

function optionLines(options: Record<string, CliOption>): string[] {
	const rows = Object.entries(options).map(([name, option]) => {
		const short = option.short ? `-${option.short}, ` : '';
		const value = option.type === 'string' ? ` <${option.valueName ?? 'value'}>` : '';
		return [`${short}--${name}${value}`, option.description] as const;
	});
	const width = Math.max(...rows.map(([flag]) => flag.length)) + 2;
	return rows.flatMap(([flag, description]) => {
		const [first = '', ...rest] = wrap(description, Math.max(HELP_WIDTH - width - 2, 30));
		return [`  ${pad(flag, width)}${first}`, ...rest.map(line => `  ${' '.repeat(width)}${line}`)];
	});
}

/** Help fits an 80-column terminal; long descriptions continue under themselves. */
const HELP_WIDTH = 80;

/** One line per command, whatever its summary: the full text is in `cws <command> --help`. */
function fit(line: string): string {
	return line.length <= HELP_WIDTH ? line : `${line.slice(0, HELP_WIDTH - 1).trimEnd()}…`;
}

function wrap(text: string, width: number): string[] {
	const lines: string[] = [];
	let line = '';
	for (const word of text.split(' ')) {
		if (line !== '' && line.length + 1 + word.length > width) {
			lines.push(line);
			line = word;
		} else {
			line = line === '' ? word : `${line} ${word}`;
		}
	}

	lines.push(line);
	return lines;
}

function pad(text: string, width: number): string {
	return text.length >= width ? `${text}  ` : text.padEnd(width);
}
