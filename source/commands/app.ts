import {PANE_IDS, type Command} from './types.js';

/** The one sentence every non-exit key answers with. */
export const LEAVE_HINT = 'type :cexit to leave';

const paneTitles: Record<(typeof PANE_IDS)[number], string> = {
	board: 'stage board',
	queue: 'sync queue',
	processes: 'processes',
};

/** Commands that work whatever pane has focus. */
export const appCommands: Command[] = [
	{
		id: 'app.help',
		title: 'Show keys and commands',
		group: 'Application',
		scope: 'global',
		keys: ['?'],
		names: ['help'],
		hint: 'help',
		run: () => ({type: 'open', overlay: 'help'}),
	},
	{
		id: 'app.palette',
		title: 'Open the command line',
		group: 'Application',
		scope: 'global',
		keys: [':'],
		hint: 'commands',
		run: () => ({type: 'open', overlay: 'palette'}),
	},
	{
		id: 'app.log',
		title: 'Show the log of external commands',
		group: 'Application',
		scope: 'global',
		keys: ['@'],
		names: ['log'],
		hint: 'command log',
		run: () => ({type: 'open', overlay: 'log'}),
	},
	{
		id: 'app.cexit',
		title: 'Leave cws: graceful shutdown (cexit! skips waiting)',
		group: 'Application',
		scope: 'global',
		keys: [],
		names: ['cexit'],
		exactOnly: true,
		run: ctx => ({type: 'shutdown', force: ctx.bang || ctx.shuttingDown}),
	},
	{
		id: 'app.redraw',
		title: 'Redraw the whole screen',
		group: 'Application',
		scope: 'global',
		keys: ['ctrl+l'],
		names: ['redraw'],
		run: () => ({type: 'redraw'}),
	},
	{
		id: 'app.dismiss-banner',
		title: 'Dismiss the start-up notice',
		group: 'Application',
		scope: 'global',
		keys: ['ctrl+x'],
		disabledReason: ctx => (ctx.bannerShown ? undefined : 'there is no notice on screen'),
		run: () => ({type: 'dismiss-banner'}),
	},
	{
		id: 'app.interrupt',
		title: 'Explain how to leave (Ctrl+C, Ctrl+D and Ctrl+\\ never quit)',
		group: 'Application',
		scope: 'global',
		keys: ['ctrl+c', 'ctrl+d', 'ctrl+\\'],
		anywhere: true,
		run: () => ({type: 'hint', text: LEAVE_HINT}),
	},
	{
		id: 'app.leave-hint',
		title: 'Explain how to leave (q, Esc and ZZ never quit)',
		group: 'Application',
		scope: 'global',
		keys: ['q', 'Q', 'Z', 'esc', 'ctrl+g'],
		run: () => ({type: 'hint', text: LEAVE_HINT}),
	},
	{
		id: 'focus.next',
		title: 'Focus the next pane',
		group: 'Focus',
		scope: 'global',
		keys: ['tab'],
		hint: 'next pane',
		run: () => ({type: 'focus', pane: 'next'}),
	},
	{
		id: 'focus.previous',
		title: 'Focus the previous pane',
		group: 'Focus',
		scope: 'global',
		keys: ['shift+tab'],
		run: () => ({type: 'focus', pane: 'previous'}),
	},
	...PANE_IDS.map(
		(pane, index): Command => ({
			id: `focus.${pane}`,
			title: `Focus the ${paneTitles[pane]}`,
			group: 'Focus',
			scope: 'global',
			keys: [String(index + 1)],
			run: () => ({type: 'focus', pane}),
		}),
	),
];
