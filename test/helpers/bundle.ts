import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {bundleTs} from '../../scripts/run-ts.mjs';

const repo = fileURLToPath(new URL('../..', import.meta.url));

const bundles = new Map<string, Promise<string>>();

/**
 * Bundles a TypeScript entry (a path relative to the repository root, or absolute)
 * into a cached .mjs that a child process can run with `node`, since Node 20
 * cannot load .ts. Bundled once per test process.
 */
export async function bundleEntry(tsPath: string): Promise<string> {
	const absolute = path.resolve(repo, tsPath);
	let bundle = bundles.get(absolute);
	if (!bundle) {
		bundle = bundleTs(absolute);
		bundles.set(absolute, bundle);
	}

	return bundle;
}
