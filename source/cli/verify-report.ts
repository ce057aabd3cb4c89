import path from 'node:path';
import type {VerifyIssue, VerifyReport} from '../core/verify.js';

/** The human form of `cws verify`: what was checked, each problem with its fix, the verdict. */
export function formatVerifyReport(report: VerifyReport): string {
	const shown = (target: string) => path.relative(report.root, target) || '.';
	const lines = [`Workspace ${report.root}`];
	lines.push(`  layout: ${report.folders} folders checked`);
	for (const file of report.stateFiles) {
		const generation = file.generation === undefined ? '' : `generation ${file.generation}, `;
		const status = file.status === 'missing' ? 'not created yet' : file.status;
		const schema = file.schema ? '' : ' (envelope only: format unknown to this cws)';
		lines.push(`  .cws/${file.name}: ${status} (${generation}${file.backups} backup${file.backups === 1 ? '' : 's'})${schema}`);
	}

	for (const note of report.notes) {
		lines.push(`  note: ${note}`);
	}

	const repaired = report.issues.filter(issue => issue.repaired !== undefined);
	const open = report.issues.filter(issue => issue.repaired === undefined);
	if (repaired.length > 0) {
		lines.push('', `Repaired (${repaired.length}):`);
		for (const issue of repaired) {
			lines.push(`  ${shown(issue.path)}: ${issue.problem}: ${issue.repaired}`);
		}
	}

	if (open.length > 0) {
		lines.push('', `Problems (${open.length}):`);
		for (const issue of open) {
			lines.push(`  ${shown(issue.path)}: ${issue.problem}`, `    ${nextStep(issue, report.repair)}`);
		}
	}

	lines.push('', verdict(report, open));
	return lines.join('\n');
}

function nextStep(issue: VerifyIssue, repairRan: boolean): string {
	if (issue.repairError !== undefined) {
		return `repair failed: ${issue.repairError}`;
	}

	if (issue.repairable && !repairRan) {
		return `\`cws verify --repair\` will ${issue.action}`;
	}

	return `to do: ${issue.action}`;
}

function verdict(report: VerifyReport, open: VerifyIssue[]): string {
	if (report.issues.length === 0) {
		return 'No problems found.';
	}

	if (open.length === 0) {
		return report.issues.length === 1 ? 'The problem was repaired.' : `All ${report.issues.length} problems were repaired.`;
	}

	const fixable = open.filter(issue => issue.repairable && issue.repairError === undefined).length;
	const hint = !report.repair && fixable > 0 ? ` Run \`cws verify --repair\` to fix ${fixable === open.length ? (fixable === 1 ? 'it' : 'them') : `${fixable} of them`}.` : '';
	return `${open.length} problem${open.length === 1 ? '' : 's'} left.${hint}`;
}
