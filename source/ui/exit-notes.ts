import {terminalSafe} from '../commands/queue-text.js';
import type {ProjectRecord} from '../core/board/model.js';
import {boardStateSpec} from '../core/board/schema.js';
import type {Store} from '../core/store.js';
import {ownValue} from '../core/own-key.js';

/** Projects listed by name in the exit summary; the rest are counted. */
const MAX_PROJECTS = 10;
/** Characters of a note shown on its one line. */
const NOTE_WIDTH = 100;

/** 'YYYY-MM-DD HH:MM', local time. */
const when = (iso: string): string => {
	const date = new Date(iso);
	if (Number.isNaN(date.getTime())) return iso;
	const pad = (value: number) => String(value).padStart(2, '0');
	return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
};

/** A note on one line: first line only, within NOTE_WIDTH, nothing the terminal would interpret. */
function oneLine(text: string): string {
	const lines = text.trim().split('\n');
	let line = terminalSafe(lines[0]!.trim());
	const more = lines.length > 1;
	if (line.length > NOTE_WIDTH) line = `${line.slice(0, NOTE_WIDTH - 1)}…`;
	else if (more) line = `${line} …`;
	return line;
}

/**
 * The exit summary's reminder of where each project touched in the session
 * was left: its newest note (what the next session starts from), or how to
 * write one.
 */
export function exitNoteLines(touched: readonly string[], records: Readonly<Record<string, ProjectRecord | undefined>>): string[] {
	if (touched.length === 0) return [];
	const lines = ['projects touched, and where you left off:'];
	for (const name of touched.slice(0, MAX_PROJECTS)) {
		const note = ownValue(records, name)?.notes.at(-1);
		lines.push(note ? `  ${name} (${when(note.at)}): ${oneLine(note.text)}` : `  ${name}: no notes yet (cws note ${name} "where I left off")`);
	}

	if (touched.length > MAX_PROJECTS) lines.push(`  and ${touched.length - MAX_PROJECTS} more (cws note <name> shows their notes)`);
	return lines;
}

/**
 * Reads the project records and returns the exit summary's lines for the
 * projects touched. The terminal is already restored when this runs: a read
 * that has to wait (a damaged file being recovered under another process's
 * lock) must not hold the prompt back, so it gives up after `timeoutMs`.
 */
export async function touchedProjectNotes(store: Store, touched: readonly string[], timeoutMs = 1000): Promise<string[]> {
	if (touched.length === 0) return [];
	let timer: NodeJS.Timeout | undefined;
	const late = new Promise<never>((_resolve, reject) => {
		timer = setTimeout(() => reject(new Error(`the project records were not read within ${timeoutMs} ms`)), timeoutMs);
	});
	try {
		const {data} = await Promise.race([store.read(boardStateSpec), late]);
		return exitNoteLines(touched, data.projects);
	} finally {
		clearTimeout(timer);
	}
}
