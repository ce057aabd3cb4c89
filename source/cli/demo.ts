import {mkdtemp} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type {CliCommand} from './types.js';

/** `cws demo`: a throwaway workspace of sample projects, opened in the full-screen workspace. */
export const demoCommands: CliCommand[] = [
	{
		name: 'demo',
		summary: 'Build a throwaway workspace of sample projects in a temp folder and open it',
		usage: 'cws demo [--build-only] [--no-color]',
		options: {
			'build-only': {type: 'boolean', description: 'build it and print where it is, without opening it'},
			'no-color': {type: 'boolean', description: 'draw without colours (also: NO_COLOR=1)'},
		},
		async run({values, ctx}) {
			const {buildDemoWorkspace} = await import('../core/board/index.js');
			const dir = await mkdtemp(path.join(os.tmpdir(), 'cws-demo-'));
			ctx.stdout(`Building sample projects with git history in ${dir} …`);
			const demo = await buildDemoWorkspace(dir);
			ctx.stdout(`Demo workspace with ${demo.projects.length} sample projects: ${demo.root}`);
			ctx.stdout(`Its sync remotes: ${demo.remotes}. It is throwaway: delete ${dir} when done.`);
			const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY);
			if (values['build-only'] === true || !interactive) {
				ctx.stdout(`Open it with: cws --workspace ${demo.root}`);
				return 0;
			}

			const color = values['no-color'] !== true && (ctx.env['NO_COLOR'] ?? '') === '' && ctx.env['FORCE_COLOR'] !== '0';
			const code = await ctx.runTui({root: demo.root, color, env: ctx.env});
			ctx.stdout(`The demo workspace stays at ${demo.root} until you delete ${dir}.`);
			return code;
		},
	},
];
