/** Command-line options of the torture run. */
export type TortureOptions = {
	/** Length of the chaos phase, in minutes (fractions allowed). */
	minutes: number;
	/** Seed of every random choice, so a run can be repeated. */
	seed: number;
	/** Print the summary as JSON instead of text. */
	json: boolean;
	/** Keep the temp folder (workspace, remotes, backups, logs) for a look afterwards. */
	keep: boolean;
};

export const USAGE = 'usage: npm run torture -- [--minutes N] [--seed N] [--json] [--keep]';

/** Parses argv (without node and the script); throws a message on bad input. */
export function parseOptions(argv: string[]): TortureOptions {
	const options: TortureOptions = {minutes: 10, seed: Date.now() % 1_000_000_007, json: false, keep: false};
	for (let index = 0; index < argv.length; index++) {
		const arg = argv[index]!;
		const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
		const value = () => {
			const next = inline ?? argv[++index];
			if (next === undefined) {
				throw new Error(`${flag} needs a value`);
			}

			return next;
		};

		switch (flag) {
			case '--minutes': {
				const minutes = Number(value());
				if (!Number.isFinite(minutes) || minutes <= 0 || minutes > 24 * 60) {
					throw new Error('--minutes must be a number above 0 (fractions allowed, e.g. 0.5)');
				}

				options.minutes = minutes;
				break;
			}

			case '--seed': {
				const seed = Number(value());
				if (!Number.isSafeInteger(seed) || seed < 0) {
					throw new Error('--seed must be a whole number ≥ 0');
				}

				options.seed = seed;
				break;
			}

			case '--json':
				options.json = true;
				break;
			case '--keep':
				options.keep = true;
				break;
			default:
				throw new Error(`unknown argument ${arg}`);
		}
	}

	return options;
}
