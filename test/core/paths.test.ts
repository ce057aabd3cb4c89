import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {STAGES, resolveWorkspaceRoot, workspacePaths} from '../../source/core/paths.js';

describe('workspacePaths', () => {
	it('names every folder and file of the layout under an absolute root', () => {
		const paths = workspacePaths('relative/ws');
		const root = path.resolve('relative/ws');
		expect(paths.root).toBe(root);
		expect(STAGES.map(stage => paths.stageDir[stage])).toEqual(['sandbox', 'active', 'stable', 'public'].map(name => path.join(root, name)));
		expect(paths.meta).toBe(path.join(root, '.cws'));
		expect(paths.state).toBe(path.join(root, '.cws/state.json'));
		expect(paths.config).toBe(path.join(root, '.cws/config.json'));
		expect(paths.whitelist).toBe(path.join(root, '.cws/whitelist.json'));
		expect(paths.audit).toBe(path.join(root, '.cws/audit.log'));
		expect(paths.sessions).toBe(path.join(root, '.cws/sessions.jsonl'));
		for (const dir of ['queue', 'backups', 'quarantine', 'archive', 'trash', 'locks'] as const) {
			expect(paths[dir]).toBe(path.join(root, '.cws', dir));
		}
	});
});

describe('resolveWorkspaceRoot', () => {
	const home = '/home/someone';

	it('prefers the flag, then $CWS_WORKSPACE, then ~/claude-workspace', () => {
		expect(resolveWorkspaceRoot({flag: '/a', env: {CWS_WORKSPACE: '/b'}, home})).toBe('/a');
		expect(resolveWorkspaceRoot({env: {CWS_WORKSPACE: '/b'}, home})).toBe('/b');
		expect(resolveWorkspaceRoot({env: {}, home})).toBe('/home/someone/claude-workspace');
	});

	it('treats an empty flag or variable as not given', () => {
		expect(resolveWorkspaceRoot({flag: '', env: {CWS_WORKSPACE: ' '}, home})).toBe('/home/someone/claude-workspace');
	});

	it('makes relative paths absolute and expands a leading ~', () => {
		expect(resolveWorkspaceRoot({flag: 'ws', env: {}, home})).toBe(path.resolve('ws'));
		expect(resolveWorkspaceRoot({env: {CWS_WORKSPACE: '~/ws'}, home})).toBe('/home/someone/ws');
		expect(resolveWorkspaceRoot({flag: '~', env: {}, home})).toBe(home);
		expect(resolveWorkspaceRoot({flag: '/a/b/../c/', env: {}, home})).toBe('/a/c');
	});

	it('falls back to $HOME when no home is passed', () => {
		expect(resolveWorkspaceRoot({env: {HOME: '/h'}})).toBe('/h/claude-workspace');
	});
});
