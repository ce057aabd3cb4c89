import {searchCommands} from '../commands/command-line.js';
import type {CommandLogEntry} from '../core/command-log.js';
import {Frame, frameInner} from './components/frame.js';
import type {ShellController} from './controller.js';
import {ConfirmView, DetailsView, PromptView} from './overlays/dialog-views.js';
import {HelpView} from './overlays/help-view.js';
import {LogView} from './overlays/log-view.js';
import {PaletteView} from './overlays/palette-view.js';
import {ShutdownView} from './overlays/shutdown-view.js';
import type {OverlayState} from './state/app-state.js';
import type {Theme} from './theme.js';

const titles: Record<OverlayState['kind'], string> = {
	help: 'Help',
	palette: 'Command line',
	log: 'Command log',
	details: 'Details',
	confirm: 'Confirm',
	prompt: 'Input',
	shutdown: 'cexit',
};

type OverlayProps = {
	overlay: OverlayState;
	controller: ShellController;
	logEntries: readonly CommandLogEntry[];
	width: number;
	height: number;
	theme: Theme;
};

/** The open overlay, drawn in place of the panes. */
export function OverlayLayer({overlay, controller, logEntries, width, height, theme}: OverlayProps) {
	const inner = frameInner(width, height);
	const state = controller.getState();
	let body;
	switch (overlay.kind) {
		case 'help':
			body = <HelpView registry={controller.registry} focus={state.focus} filter={overlay.filter} selected={overlay.selected} width={inner.width} height={inner.height} theme={theme} />;
			break;
		case 'palette':
			body = (
				<PaletteView
					input={overlay.input}
					items={searchCommands(controller.registry, overlay.input.value, controller.context())}
					selected={overlay.selected}
					picked={overlay.picked === true}
					note={overlay.note}
					width={inner.width}
					height={inner.height}
					theme={theme}
				/>
			);
			break;
		case 'log':
			body = <LogView entries={logEntries} selected={overlay.selected} width={inner.width} height={inner.height} theme={theme} />;
			break;
		case 'details':
			body = <DetailsView lines={overlay.intent.lines} selected={overlay.selected} width={inner.width} height={inner.height} theme={theme} />;
			break;
		case 'confirm':
			body = <ConfirmView intent={overlay.intent} width={inner.width} theme={theme} />;
			break;
		case 'prompt':
			body = <PromptView intent={overlay.intent} input={overlay.input} width={inner.width} theme={theme} />;
			break;
		case 'shutdown':
			body = <ShutdownView view={overlay} width={inner.width} height={inner.height} theme={theme} />;
			break;
	}

	return (
		<Frame title={overlay.kind === 'details' ? overlay.intent.title : titles[overlay.kind]} focused width={width} height={height} theme={theme}>
			{body}
		</Frame>
	);
}
