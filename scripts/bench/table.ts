// One row per figure: the figure's samples, its floor or peer measured in
// the same run, the ratio between them, and the target.
import type {Summary} from './stats.js';

/** A figure of the benchmark table. */
export type Row = {
	figure: string;
	unit: string;
	value: Summary;
	/** What the figure is compared with, measured in the same run. */
	floor?: {label: string; value: Summary};
	/** figure ÷ floor on medians (or the ratio the target speaks of). */
	ratio?: number;
	target?: string;
	/** Whether the target holds on this run's medians; undefined when there is no target or no data. */
	met?: boolean;
	note?: string;
};

const number = (value: number): string => {
	if (!Number.isFinite(value)) return '–';
	if (Math.abs(value) >= 100) return value.toFixed(0);
	if (Math.abs(value) >= 10) return value.toFixed(1);
	return value.toFixed(2);
};

/** The rows as a Markdown table (readable in a terminal too). */
export function formatTable(rows: Row[]): string {
	const header = ['figure', 'median', 'min', 'max', 'n', 'floor / peer (median)', 'ratio', 'target', 'met'];
	const lines = rows.map(row => [
		row.figure,
		`${number(row.value.median)} ${row.unit}`,
		number(row.value.min),
		number(row.value.max),
		String(row.value.n),
		row.floor ? `${row.floor.label}: ${number(row.floor.value.median)}` : '',
		row.ratio === undefined ? '' : `${number(row.ratio)}×`,
		row.target ?? '',
		row.met === undefined ? '' : (row.met ? 'yes' : 'NO'),
	]);
	const all = [header, ...lines];
	const widths = header.map((_, column) => Math.max(...all.map(line => line[column]!.length)));
	const render = (line: string[]) => `| ${line.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ')} |`;
	const notes = rows.filter(row => row.note).map(row => `- ${row.figure}: ${row.note}`);
	return [render(header), `|${widths.map(width => '-'.repeat(width + 2)).join('|')}|`, ...lines.map(render), ...(notes.length > 0 ? ['', ...notes] : [])].join('\n');
}
