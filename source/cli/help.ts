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
		...rows.map(([name, summary]) => `  ${pad(name, width)}${summary}`),
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
		command.summary,
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
	return rows.map(([flag, description]) => `  ${pad(flag, width)}${description}`);
}

function pad(text: string, width: number): string {
	return text.length >= width ? `${text}  ` : text.padEnd(width);
}
