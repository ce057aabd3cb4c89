import type {Command, OverlayId} from './types.js';

/**
 * Keys of the modal layers. Every Esc has Ctrl+G beside it: tmux holds a
 * lone Esc back for `escape-time` (500 ms by default).
 */
const close = (scope: OverlayId, title: string, extra: string[] = []): Command => ({
	id: `${scope}.close`,
	title,
	group: 'Dialogs',
	scope,
	keys: ['esc', 'ctrl+g', ...extra],
	hint: 'close',
	hidden: true,
	run: () => ({type: 'close'}),
});

const move = (scope: OverlayId, direction: 'up' | 'down', keys: string[]): Command => ({
	id: `${scope}.${direction}`,
	title: direction === 'up' ? 'Previous line' : 'Next line',
	group: 'Dialogs',
	scope,
	keys,
	hidden: true,
	run: () => ({type: 'overlay', action: {type: 'move', delta: direction === 'up' ? -1 : 1}}),
});

const page = (scope: OverlayId, direction: 'up' | 'down'): Command => ({
	id: `${scope}.page-${direction}`,
	title: direction === 'up' ? 'Previous page' : 'Next page',
	group: 'Dialogs',
	scope,
	keys: [direction === 'up' ? 'pageup' : 'pagedown'],
	hidden: true,
	run: () => ({type: 'overlay', action: {type: 'page', delta: direction === 'up' ? -1 : 1}}),
});

/** Commands active only while their overlay is open. */
export const overlayCommands: Command[] = [
	close('help', 'Close help', ['?']),
	move('help', 'up', ['up', 'ctrl+p']),
	move('help', 'down', ['down', 'ctrl+n']),
	page('help', 'up'),
	page('help', 'down'),

	close('palette', 'Close the command line'),
	move('palette', 'up', ['up', 'ctrl+p']),
	move('palette', 'down', ['down', 'ctrl+n']),
	{
		id: 'palette.run',
		title: 'Run the selected command',
		group: 'Dialogs',
		scope: 'palette',
		keys: ['enter'],
		hint: 'run',
		hidden: true,
		run: () => ({type: 'overlay', action: {type: 'submit'}}),
	},
	{
		id: 'palette.complete',
		title: 'Complete the selected command name',
		group: 'Dialogs',
		scope: 'palette',
		keys: ['tab'],
		hint: 'complete',
		hidden: true,
		run: () => ({type: 'overlay', action: {type: 'complete'}}),
	},

	close('log', 'Close the command log', ['@', 'q']),
	move('log', 'up', ['up', 'k', 'ctrl+p']),
	move('log', 'down', ['down', 'j', 'ctrl+n']),
	page('log', 'up'),
	page('log', 'down'),

	close('details', 'Close', ['q', 'enter']),
	move('details', 'up', ['up', 'k', 'ctrl+p']),
	move('details', 'down', ['down', 'j', 'ctrl+n']),
	page('details', 'up'),
	page('details', 'down'),

	{
		id: 'confirm.yes',
		title: 'Accept',
		group: 'Dialogs',
		scope: 'confirm',
		keys: ['y', 'enter'],
		hint: 'yes',
		hidden: true,
		run: () => ({type: 'overlay', action: {type: 'answer', value: 'yes'}}),
	},
	{
		id: 'confirm.no',
		title: 'Decline',
		group: 'Dialogs',
		scope: 'confirm',
		keys: ['n', 'esc', 'ctrl+g'],
		hint: 'no',
		hidden: true,
		run: () => ({type: 'overlay', action: {type: 'answer', value: 'no'}}),
	},

	{
		id: 'prompt.submit',
		title: 'Save the text',
		group: 'Dialogs',
		scope: 'prompt',
		keys: ['enter'],
		hint: 'save',
		hidden: true,
		run: () => ({type: 'overlay', action: {type: 'submit'}}),
	},
	close('prompt', 'Cancel'),

	move('shutdown', 'up', ['up', 'ctrl+p']),
	move('shutdown', 'down', ['down', 'ctrl+n']),
	{
		id: 'shutdown.choose',
		title: 'Choose the highlighted answer',
		group: 'Dialogs',
		scope: 'shutdown',
		keys: ['enter'],
		hint: 'choose',
		hidden: true,
		run: () => ({type: 'overlay', action: {type: 'submit'}}),
	},
	{
		id: 'shutdown.cancel',
		title: 'Stay: cancel the shutdown while it is still asking',
		group: 'Dialogs',
		scope: 'shutdown',
		keys: ['esc', 'ctrl+g'],
		hint: 'stay',
		hidden: true,
		run: () => ({type: 'overlay', action: {type: 'cancel'}}),
	},
	{
		id: 'shutdown.palette',
		title: 'Open the command line (:cexit! skips waiting)',
		group: 'Dialogs',
		scope: 'shutdown',
		keys: [':'],
		hidden: true,
		run: () => ({type: 'open', overlay: 'palette'}),
	},
];
