/** Bundles a TypeScript entry with esbuild and returns the absolute path of the cached .mjs. */
export function bundleTs(entry: string): Promise<string>;
