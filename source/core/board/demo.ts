import fs from 'node:fs/promises';
import path from 'node:path';
import {STAGES, workspacePaths, type Stage} from '../paths.js';
import {Store} from '../store.js';
import {initWorkspace} from '../workspace.js';
import type {BoardWorkspace} from './context.js';
import {gitEnv} from './git.js';
import type {BoardState, BusinessModel, HistoryEntry, ProjectRecord} from './model.js';
import {execaRunner, type Runner} from './runner.js';
import {boardStateSpec} from './schema.js';

/** One sample project of the demo workspace. */
type Sample = {
	name: string;
	stage: Stage;
	model: BusinessModel;
	description: string;
	/** Commit messages, oldest first; none: not a git repository. */
	commits: string[];
	tests?: 'pass' | 'fail';
	readme?: boolean;
	license?: boolean;
	/** Push to a bare remote; 'ahead' leaves the last two commits unpushed. */
	remote?: 'pushed' | 'ahead';
	/** Leave uncommitted work in the tree. */
	dirty?: boolean;
	/** Days since the last change to its files. */
	idleDays: number;
	notes?: string[];
};

const DAY = 86_400_000;

/** A dozen projects across the stages and models, each showing something the board can tell. */
export const DEMO_PROJECTS: Sample[] = [
	{name: 'scratchpad', stage: 'sandbox', model: 'open-source', description: 'Loose notes and snippets', commits: [], idleDays: 0.1},
	{name: 'idea-board', stage: 'sandbox', model: 'hybrid', description: 'A kanban for ideas; untouched for weeks', commits: ['Sketch the data model'], idleDays: 45},
	{name: 'ml-experiments', stage: 'sandbox', model: 'commercial', description: 'Ranking experiments', commits: ['Baseline model', 'Try gradient boosting'], dirty: true, idleDays: 2},
	{name: 'api-gateway', stage: 'active', model: 'commercial', description: 'Routing and auth in front of the services', commits: ['Skeleton', 'Add routing table', 'JWT auth', 'Rate limits', 'Health endpoint'], tests: 'pass', readme: true, dirty: true, idleDays: 0.02, notes: ['Half-way through the rate limiter; tests for bursts still missing.']},
	{name: 'cli-tool', stage: 'active', model: 'open-source', description: 'Command-line client for the API', commits: ['Init', 'Parse flags', 'Add login command'], tests: 'fail', readme: true, license: true, idleDays: 1},
	{name: 'docs-site', stage: 'active', model: 'open-source', description: 'Documentation site', commits: ['Init', 'Getting started', 'API reference', 'Search'], tests: 'pass', readme: true, license: true, remote: 'ahead', idleDays: 3},
	{name: 'billing-service', stage: 'stable', model: 'commercial', description: 'Invoices and payments', commits: ['Init', 'Invoices', 'Stripe adapter', 'Refunds', 'Dunning emails', 'v1.0.0'], tests: 'pass', readme: true, remote: 'pushed', idleDays: 9},
	{name: 'ui-kit', stage: 'stable', model: 'open-source', description: 'Shared React components; ready for Public', commits: ['Init', 'Button and Input', 'Theme tokens', 'Docs', 'v1.0.0'], tests: 'pass', readme: true, license: true, remote: 'pushed', idleDays: 5, notes: ['All gates pass: promote to Public when the announcement is ready.']},
	{name: 'core-engine', stage: 'stable', model: 'hybrid', description: 'The engine behind the free and premium tiers', commits: ['Init', 'Scheduler', 'Plugin API', 'v2.0.0'], tests: 'pass', readme: true, license: true, remote: 'pushed', idleDays: 14},
	{name: 'website', stage: 'public', model: 'open-source', description: 'The public website', commits: ['Init', 'Landing page', 'Blog', 'Pricing page'], tests: 'pass', readme: true, license: true, remote: 'pushed', idleDays: 21},
	{name: 'sdk-js', stage: 'public', model: 'hybrid', description: 'JavaScript SDK, free core with premium modules', commits: ['Init', 'Client', 'Retries', 'v3.1.0'], tests: 'pass', readme: true, license: true, remote: 'pushed', idleDays: 30},
	{name: 'partner-api', stage: 'public', model: 'commercial', description: 'The API partners integrate with', commits: ['Init', 'Orders', 'Webhooks', 'v1.2.0'], tests: 'pass', readme: true, license: true, remote: 'pushed', idleDays: 60},
];

/** What buildDemoWorkspace made. */
export type DemoWorkspace = {
	/** The workspace root (<dir>/workspace). */
	root: string;
	/** Bare repositories the projects push to (<dir>/remotes). */
	remotes: string;
	projects: string[];
};

/**
 * Builds a throwaway workspace of sample projects in `dir` (which should be
 * empty, e.g. a fresh temp folder): real git repositories with history
 * (commits dated over the past weeks, by "cws demo", never with the user's
 * identity), one with uncommitted work, one whose tests fail, one ready for
 * Public, and local bare remotes in <dir>/remotes to sync to.
 */
export async function buildDemoWorkspace(dir: string, options: {runner?: Runner; now?: () => number} = {}): Promise<DemoWorkspace> {
	const runner = options.runner ?? execaRunner;
	const now = (options.now ?? Date.now)();
	const root = path.join(dir, 'workspace');
	const remotes = path.join(dir, 'remotes');
	await initWorkspace(root);
	await fs.mkdir(remotes, {recursive: true, mode: 0o700});
	const paths = workspacePaths(root);
	const ws: BoardWorkspace = {paths, store: new Store(paths.meta)};
	const records: Record<string, ProjectRecord> = {};
	for (const sample of DEMO_PROJECTS) {
		const project = path.join(paths.stageDir[sample.stage], sample.name);
		await fs.mkdir(project, {mode: 0o700});
		await fs.chmod(project, 0o700);
		await buildProject(project, sample, {runner, remotes, ceiling: paths.stageDir[sample.stage], now});
		records[sample.name] = demoRecord(sample, now);
	}

	await ws.store.update(boardStateSpec, (state): BoardState => ({...state, projects: {...state.projects, ...records}}));
	return {root, remotes, projects: DEMO_PROJECTS.map(sample => sample.name)};
}

type BuildContext = {runner: Runner; remotes: string; ceiling: string; now: number};

async function buildProject(dir: string, sample: Sample, context: BuildContext): Promise<void> {
	const lastChange = context.now - (sample.idleDays * DAY);
	const files: Record<string, string> = {'src/index.js': `// ${sample.description}\nexport const name = '${sample.name}';\n`};
	if (sample.readme) {
		files['README.md'] = `# ${sample.name}\n\n${sample.description}.\n`;
	}

	if (sample.license) {
		files['LICENSE'] = `MIT License\n\nCopyright (c) ${new Date(context.now).getUTCFullYear()} cws demo\n`;
	}

	if (sample.tests) {
		files['package.json'] = `${JSON.stringify({name: sample.name, version: '1.0.0', private: true, type: 'module', scripts: {test: 'node test.js'}}, null, 2)}\n`;
		files['test.js'] = sample.tests === 'pass'
			? "import {name} from './src/index.js';\nif (!name) throw new Error('no name');\nconsole.log('1 test passed');\n"
			: "console.log('login command: expected exit code 0, got 1');\nconsole.log('1 of 3 tests failed');\nprocess.exit(1);\n";
	}

	if (sample.commits.length === 0) {
		files['notes.md'] = '- try the new parser\n- look at the flame graph\n';
		await writeAll(dir, files, lastChange);
		return;
	}

	const git = async (args: string[], at: number) => {
		const date = new Date(at).toISOString();
		const result = await context.runner('git', args, {
			cwd: dir,
			timeoutMs: 15_000,
			env: {
				...gitEnv(context.ceiling),
				GIT_AUTHOR_NAME: 'cws demo', GIT_AUTHOR_EMAIL: 'demo@cws.invalid', GIT_AUTHOR_DATE: date,
				GIT_COMMITTER_NAME: 'cws demo', GIT_COMMITTER_EMAIL: 'demo@cws.invalid', GIT_COMMITTER_DATE: date,
			},
		});
		if (result.failed) {
			throw new Error(`demo: git ${args.join(' ')} failed in ${dir}: ${result.stderr.trim() || result.error}`);
		}
	};

	await git(['init', '--quiet', '--initial-branch=main'], lastChange);
	const unpushed = sample.remote === 'ahead' ? 2 : 0;
	for (const [index, message] of sample.commits.entries()) {
		// Two days apart, the last one at the project's last change.
		const commitAt = lastChange - ((sample.commits.length - 1 - index) * 2 * DAY);
		const changelog = sample.commits.slice(0, index + 1).map(line => `- ${line}\n`).join('');
		await writeAll(dir, index === 0 ? files : {'CHANGELOG.md': changelog}, commitAt);

		await git(['add', '--all'], commitAt);
		await git(['commit', '--quiet', '--no-verify', '-m', message], commitAt);
		if (sample.remote && index === sample.commits.length - 1 - unpushed) {
			const bare = path.join(context.remotes, `${sample.name}.git`);
			await git(['init', '--quiet', '--bare', '--initial-branch=main', bare], commitAt);
			await git(['remote', 'add', 'origin', bare], commitAt);
			await git(['push', '--quiet', '--set-upstream', 'origin', 'main'], commitAt);
		}
	}

	if (sample.dirty) {
		await writeAll(dir, {'src/wip.js': '// work in progress\n', 'src/index.js': `${files['src/index.js']!}export const draft = true;\n`}, lastChange);
	}
}

/** Writes files and dates them, so "last activity" on the board reads like a real history. */
async function writeAll(dir: string, files: Record<string, string>, at: number): Promise<void> {
	const date = new Date(at);
	for (const [file, content] of Object.entries(files)) {
		const target = path.join(dir, file);
		await fs.mkdir(path.dirname(target), {recursive: true});
		await fs.writeFile(target, content);
		await fs.utimes(target, date, date);
	}
}

/** A plausible record: created weeks ago, promoted stage by stage up to where it is. */
function demoRecord(sample: Sample, now: number): ProjectRecord {
	const reached = STAGES.indexOf(sample.stage);
	const created = now - ((sample.idleDays + 10 + (reached * 7)) * DAY);
	const history: HistoryEntry[] = [{from: null, to: 'sandbox', at: new Date(created).toISOString(), reason: 'created', forced: false, by: 'demo'}];
	for (let step = 1; step <= reached; step++) {
		history.push({from: STAGES[step - 1]!, to: STAGES[step]!, at: new Date(created + (step * 7 * DAY)).toISOString(), reason: `promoted to ${STAGES[step]!}`, forced: false, by: 'demo'});
	}

	return {
		model: sample.model,
		description: sample.description,
		created: new Date(created).toISOString(),
		history,
		notes: (sample.notes ?? []).map(text => ({at: new Date(now - (sample.idleDays * DAY)).toISOString(), text})),
	};
}
