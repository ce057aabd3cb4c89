import type {CompiledRule} from './rules.js';
import type {ProcessInfo} from './types.js';

type Cached = {fingerprint: string; matched: CompiledRule[]};

/**
 * Remembers which rules matched each process between refreshes. What a rule
 * looks at (exe, argv, user) almost never changes during a process's life,
 * so a refresh only runs the rules on processes that are new or whose
 * command line changed. Regular expressions run on the linear-time engine,
 * which is safe but slow (about 150 ns per character per rule here), so
 * without this cache the command-line rules would cost more than reading /proc.
 */
export class RuleMatchCache {
	private rules: readonly CompiledRule[] = [];
	private entries = new Map<string, Cached>();
	private seen = new Set<string>();

	/** The rules matching `process`; computed once per process while the rules stay the same. */
	match(rules: readonly CompiledRule[], process: ProcessInfo): CompiledRule[] {
		if (rules !== this.rules) {
			this.rules = rules;
			this.entries.clear();
		}

		const key = `${process.pid}:${process.startTime}`;
		const fingerprint = `${process.uid}\0${process.user}\0${process.exe ?? ''}\0${process.name}\0${process.command}`;
		this.seen.add(key);
		const cached = this.entries.get(key);
		if (cached?.fingerprint === fingerprint) {
			return cached.matched;
		}

		const matched = rules.filter(rule => rule.test(process));
		this.entries.set(key, {fingerprint, matched});
		return matched;
	}

	/** Forgets processes not matched since the previous prune (they have exited or left the view). */
	prune(): void {
		for (const key of this.entries.keys()) {
			if (!this.seen.has(key)) {
				this.entries.delete(key);
			}
		}

		this.seen.clear();
	}
}
