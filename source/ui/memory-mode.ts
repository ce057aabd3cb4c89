import {statSync} from 'node:fs';
import {setFlagsFromString} from 'node:v8';
import {workspacePaths} from '../core/paths.js';

/** From this size of state.json (about 3,500 projects) the interface favours memory over speed. */
export const LARGE_STATE_BYTES = 1024 * 1024;

/**
 * Asks V8 to favour memory over speed (--optimize-for-size) for a large
 * workspace, before its state is read. Without it, at 10,000 projects,
 * V8's young generation grows to 32 MiB (16 MiB with it) and peak RSS after
 * a session of key presses is 156-163 MiB, over the 150 MiB target; with it
 * 136-146 MiB, for more collections that draw the first frame 20-55 ms
 * later. Setting it once the first frame is drawn does not help: the peak
 * is reached within half a second after it, during the first walk of every
 * project (155-159 MiB with the flag set 0.6 or 2.5 s after start), and the
 * interface's compiled-code cache is accepted only under the flags it was
 * made with (see cli.tsx). A small workspace keeps the defaults: its heap
 * is small anyway, and the tighter heap would cost a few extra full
 * collections in the first seconds after start.
 */
export function favourMemoryForLargeWorkspace(root: string): boolean {
	const size = statSync(workspacePaths(root).state, {throwIfNoEntry: false})?.size ?? 0;
	if (size < LARGE_STATE_BYTES) return false;
	setFlagsFromString('--optimize-for-size');
	return true;
}
