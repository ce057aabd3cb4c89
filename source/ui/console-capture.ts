import {format} from 'node:util';
import type {ToastLevel} from '../commands/types.js';

const methods = {log: 'info', info: 'info', debug: 'info', warn: 'warning', error: 'error'} as const;

/**
 * Routes console output to toasts while the full-screen interface runs: a
 * stray console.log from any module would otherwise be written over the
 * frame, and the frame writer would not know the screen changed. Returns a
 * function that puts the console back.
 */
export function captureConsole(toast: (level: ToastLevel, text: string) => void, target: Console = console): () => void {
	const saved = new Map<keyof typeof methods, Console[keyof typeof methods]>();
	for (const [method, level] of Object.entries(methods) as Array<[keyof typeof methods, ToastLevel]>) {
		saved.set(method, target[method]);
		target[method] = (...args: unknown[]) => toast(level, format(...args));
	}

	return () => {
		for (const [method, original] of saved) target[method] = original;
	};
}
