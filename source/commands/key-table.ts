import {commandName} from './command-line.js';
import {formatKeys} from './keys.js';
import {DEFAULT_COMMANDS} from './registry.js';
import type {Command} from './types.js';

/** Markers around the generated table in README.md. */
export const KEYS_START = '<!-- keys:start -->';
export const KEYS_END = '<!-- keys:end -->';

const scopeLabel = (command: Command): string => (command.scope === 'global' ? 'everywhere' : command.scope);

const cell = (text: string): string => text.replaceAll('|', '\\|');

/** The key table for the README, generated from the command table. */
export function keyTableMarkdown(commands: readonly Command[] = DEFAULT_COMMANDS): string {
	const groups = new Map<string, Command[]>();
	for (const command of commands) {
		const group = groups.get(command.group) ?? [];
		group.push(command);
		groups.set(command.group, group);
	}

	const lines: string[] = [
		'Generated from the command table by `node scripts/gen-keys-doc.mjs`; do not edit by hand.',
		'Keys can be rebound by command id in `~/.config/cws/config.json`, e.g. `{"keys": {"board.down": ["j", "ctrl+n"]}}`.',
	];
	for (const [group, list] of groups) {
		lines.push('', `### ${group}`, '', '| Keys | Command line | Does | Where | Id |', '| --- | --- | --- | --- | --- |');
		for (const command of list) {
			const keys = command.keys.length > 0 ? `\`${cell(formatKeys(command.keys))}\`` : '';
			const line = command.hidden ? '' : `\`:${cell(commandName(command))}\``;
			lines.push(`| ${keys} | ${line} | ${cell(command.title)} | ${scopeLabel(command)} | \`${command.id}\` |`);
		}
	}

	return lines.join('\n');
}

/** `readme` with the text between the markers replaced by the current table (markers added at the end if missing). */
export function updateReadme(readme: string, table = keyTableMarkdown()): string {
	const start = readme.indexOf(KEYS_START);
	const end = readme.indexOf(KEYS_END);
	const block = `${KEYS_START}\n${table}\n${KEYS_END}`;
	if (start < 0 || end < start) {
		return `${readme.trimEnd()}\n\n## Keys\n\n${block}\n`;
	}

	return readme.slice(0, start) + block + readme.slice(end + KEYS_END.length);
}
