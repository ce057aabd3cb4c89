import os from 'node:os';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {buildRegistry} from '../../source/commands/registry.js';
import type {ShellServices} from '../../source/commands/types.js';
import {CommandLog} from '../../source/core/command-log.js';
import {workspacePaths} from '../../source/core/paths.js';
import {ShutdownRegistry} from '../../source/core/shutdown.js';
import {Store} from '../../source/core/store.js';
import {ShellController} from '../../source/ui/controller.js';
import {newOverlay} from '../../source/ui/state/app-state.js';
import {FAKE_COMMANDS, fakePanes} from './fake-panes.js';

describe('shell controller: panes in front', () => {
	it('tells each pane at start whether it is in front, then only the panes that come to the front or leave it', () => {
		const told: string[] = [];
		const panes = fakePanes().map(pane => ({...pane, foreground: (_services: ShellServices, front: boolean) => told.push(`${pane.id} ${front ? 'front' : 'behind'}`)}));
		const paths = workspacePaths(path.join(os.tmpdir(), 'cws-ui-never-created'));
		const services: ShellServices = {paths, store: new Store(paths.meta), env: {}, session: {id: 'test', touch() {}}, commandLog: new CommandLog(), shutdown: new ShutdownRegistry()};
		const controller = new ShellController({registry: buildRegistry(FAKE_COMMANDS), panes, services});
		controller.dispatch({type: 'focus', pane: 'queue'});
		expect(told).toEqual([]);
		controller.start();
		expect(told.splice(0)).toEqual(['board behind', 'queue front', 'processes behind']);
		controller.dispatch({type: 'focus', pane: 'processes'});
		expect(told.splice(0)).toEqual(['queue behind', 'processes front']);
		// An overlay covers the panes: none is in front until it closes.
		controller.dispatch({type: 'open', overlay: newOverlay('help')});
		expect(told.splice(0)).toEqual(['processes behind']);
		controller.dispatch({type: 'close'});
		expect(told.splice(0)).toEqual(['processes front']);
		controller.dispatch({type: 'banner', lines: ['hello']});
		expect(told).toEqual([]);
		controller.stop();
		controller.dispatch({type: 'focus', pane: 'board'});
		expect(told).toEqual([]);
	});
});
