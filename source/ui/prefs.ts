import {existsSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type {KeyOverrides} from '../commands/registry.js';

/**
 * Per-user preferences (not workspace state): key rebinding and theme, in
 * <config dir>/cws/config.json, read through `conf`. Example:
 *
 *   {"theme": "mono", "keys": {"board.down": ["j", "ctrl+n"], "app.log": "L"}}
 *
 * A missing file means defaults. A file that cannot be used never stops the
 * program: it produces warnings and the defaults are kept.
 */

export const THEMES = ['default', 'mono'] as const;
export type ThemeName = (typeof THEMES)[number];

export type Preferences = {
	keys: KeyOverrides;
	theme: ThemeName;
	/** Problems to show at start. */
	warnings: string[];
	file: string;
};

/** Folder of the preferences: $XDG_CONFIG_HOME/cws, else ~/.config/cws. */
export function preferencesDir(env: NodeJS.ProcessEnv): string {
	const base = env['XDG_CONFIG_HOME'] || path.join(env['HOME'] || os.homedir(), '.config');
	return path.join(base, 'cws');
}

/** Checks the parsed file; unusable parts become warnings. */
export function interpretPreferences(data: unknown, file: string): Preferences {
	const warnings: string[] = [];
	const result: Preferences = {keys: {}, theme: 'default', warnings, file};
	if (typeof data !== 'object' || data === null || Array.isArray(data)) {
		warnings.push(`${file}: expected a JSON object; defaults used`);
		return result;
	}

	const {keys, theme, ...rest} = data as Record<string, unknown>;
	if (keys !== undefined) {
		if (typeof keys === 'object' && keys !== null && !Array.isArray(keys)) result.keys = keys as KeyOverrides;
		else warnings.push(`${file}: "keys" must map command ids to keys; default keys used`);
	}

	if (theme !== undefined) {
		if ((THEMES as readonly unknown[]).includes(theme)) result.theme = theme as ThemeName;
		else warnings.push(`${file}: unknown theme ${JSON.stringify(theme)} (use ${THEMES.join(' or ')}); default theme used`);
	}

	for (const name of Object.keys(rest)) warnings.push(`${file}: unknown setting "${name}" ignored`);
	return result;
}

/** Reads the preferences; conf is only loaded when the file exists (it costs start-up time). */
export async function loadPreferences(env: NodeJS.ProcessEnv): Promise<Preferences> {
	const cwd = preferencesDir(env);
	const file = path.join(cwd, 'config.json');
	if (!existsSync(file)) return {keys: {}, theme: 'default', warnings: [], file};
	try {
		const {default: Conf} = await import('conf');
		const conf = new Conf<Record<string, unknown>>({projectName: 'cws', cwd, configName: 'config', clearInvalidConfig: false});
		return interpretPreferences(conf.store, file);
	} catch (error) {
		const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
		return {keys: {}, theme: 'default', warnings: [`${file} could not be read (${reason}); defaults used`], file};
	}
}
