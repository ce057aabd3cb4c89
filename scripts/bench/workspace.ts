// The synthetic workspace the start-up, key and idle benchmarks open: projects
// spread over the four stages, named so the selected card says where the
// cursor is, the first of each stage real git repositories.
import {execFileSync} from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import type {BoardState, ProjectRecord} from '../../source/core/board/model.js';
import {boardStateSpec} from '../../source/core/board/schema.js';
import {STAGES, workspacePaths} from '../../source/core/paths.js';
import {Store} from '../../source/core/store.js';
import {initWorkspace} from '../../source/core/workspace.js';

/** A workspace of `count` projects spread over the stages; the first `git` (per stage, in screen order) are repositories. */
export async function makeWorkspace(parent: string, count: number, git: number): Promise<string> {
	const root = path.join(parent, `ws-${count}`);
	await initWorkspace(root);
	const paths = workspacePaths(root);
	const projects: Record<string, ProjectRecord> = {};
	const at = new Date().toISOString();
	const env = {...process.env, GIT_AUTHOR_NAME: 'bench', GIT_AUTHOR_EMAIL: 'b@b.invalid', GIT_COMMITTER_NAME: 'bench', GIT_COMMITTER_EMAIL: 'b@b.invalid', GIT_CONFIG_GLOBAL: '/dev/null'};
	for (let index = 0; index < count; index++) {
		const stage = STAGES[index % STAGES.length]!;
		const order = Math.floor(index / STAGES.length);
		// Unique across stages, so the selected name alone says where the cursor is.
		const name = `${stage.slice(0, 2)}-${String(order).padStart(5, '0')}`;
		const dir = path.join(paths.stageDir[stage], name);
		await fs.mkdir(path.join(dir, 'src'), {recursive: true});
		await fs.writeFile(path.join(dir, 'README.md'), `# ${name}\n`);
		await fs.writeFile(path.join(dir, 'src', 'index.ts'), 'export {};\n');
		if (order < git / STAGES.length) {
			execFileSync('git', ['init', '-q', '-b', 'main'], {cwd: dir, env});
			execFileSync('git', ['add', '-A'], {cwd: dir, env});
			execFileSync('git', ['commit', '-qm', 'first'], {cwd: dir, env});
		}

		projects[name] = {model: 'open-source', description: '', created: at, history: [{from: null, to: stage, at, reason: 'created', forced: false}], notes: []};
	}

	await new Store(paths.meta).update(boardStateSpec, (state): BoardState => ({...state, projects}));
	return root;
}
