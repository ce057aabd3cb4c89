import chalk from 'chalk';

/**
 * Colours of the interface: only the 16 ANSI colours, which the terminal's
 * own palette maps to something readable on dark and on light backgrounds
 * (no 'white on default', no 'black on default'). With colour off (NO_COLOR,
 * --no-color) every colour is undefined, and meaning is carried by text:
 * inverse for the selection, a ▶ marker, double borders for focus.
 */

/** Ink colour names from the 16-colour set. */
type AnsiColor = 'red' | 'green' | 'yellow' | 'blue' | 'magenta' | 'cyan' | 'gray';

export type Theme = {
	color: boolean;
	focus: AnsiColor | undefined;
	muted: AnsiColor | undefined;
	accent: AnsiColor | undefined;
	info: AnsiColor | undefined;
	success: AnsiColor | undefined;
	warning: AnsiColor | undefined;
	error: AnsiColor | undefined;
	/** Left of the selected row, visible without colour. */
	marker: string;
};

const palette = {
	focus: 'cyan',
	muted: 'gray',
	accent: 'magenta',
	info: 'blue',
	success: 'green',
	warning: 'yellow',
	error: 'red',
} as const;

/** The theme for `color` on or off. */
export function makeTheme(color: boolean): Theme {
	if (!color) {
		return {
			color,
			focus: undefined,
			muted: undefined,
			accent: undefined,
			info: undefined,
			success: undefined,
			warning: undefined,
			error: undefined,
			marker: '▶',
		};
	}

	return {color, ...palette, marker: '▶'};
}

/** Whether colour is wanted: NO_COLOR (any non-empty value) turns it off, as https://no-color.org asks. */
export function colorWanted(env: NodeJS.ProcessEnv, flag = true): boolean {
	return flag && !(env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '');
}

/**
 * Sets the colour level Ink's chalk uses. chalk guesses from the
 * environment and turns everything off when CI is set at all (even
 * CI=false); the interface decides instead: the 16 ANSI colours, and with
 * colour off still bold and inverse (the selection must stay visible).
 */
export function applyColorLevel(): void {
	chalk.level = 1;
}
