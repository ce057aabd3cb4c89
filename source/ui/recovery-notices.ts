import path from 'node:path';
import type {RecoveryReport, Store} from '../core/store.js';

const DISMISS = 'Ctrl+X dismisses this notice.';

/**
 * A damaged state file is quarantined and restored from a backup whenever
 * any part of the interface reads it, often before the first frame. The
 * user must hear of it: a silent restore looks like lost work. Reports that
 * arrive before the screen exists are kept for the start-up notice; later
 * ones are added to the notice on screen, which stays until dismissed.
 */
export class RecoveryNotices {
	private readonly early: string[] = [];
	private show: ((line: string) => void) | undefined;
	private readonly stopListening: () => void;

	constructor(store: Store, private readonly root: string) {
		this.stopListening = store.onRecovery(report => {
			this.add(describeRecovery(report, this.root));
		});
	}

	/** Lines of the recoveries seen so far, for the notice of the first frame. */
	takeEarly(): string[] {
		return this.early.splice(0);
	}

	/** From now on each recovery is passed to `show` at once. */
	attach(show: (line: string) => void): void {
		this.show = show;
		for (const line of this.takeEarly()) show(line);
	}

	stop(): void {
		this.stopListening();
	}

	private add(line: string): void {
		if (this.show) this.show(line);
		else this.early.push(line);
	}
}

/**
 * One line that fits the notice at 80 columns: the file and the damaged
 * copy named relative to the workspace, the fault and the generation restored.
 */
export function describeRecovery(report: RecoveryReport, root: string): string {
	const shown = (file: string) => {
		const relative = path.relative(root, file);
		return relative.startsWith('..') ? file : relative;
	};

	return `${shown(report.file)} was damaged (${report.fault}): generation ${report.restoredGeneration} restored from backup, the damaged copy kept in ${shown(report.quarantinedTo)}`;
}

/** The banner with `line` added, keeping the dismiss hint last. */
export function withNoticeLine(banner: string[] | undefined, line: string): string[] {
	const lines = (banner ?? []).filter(existing => existing !== DISMISS);
	return [...lines, line, DISMISS];
}

/** The start-up notice: `lines` and the dismiss hint, or nothing when there is nothing to say. */
export function startupBanner(lines: string[]): string[] | undefined {
	return lines.length > 0 ? [...lines, DISMISS] : undefined;
}
