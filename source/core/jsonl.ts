import {constants} from 'node:fs';
import {open, readFile} from 'node:fs/promises';
import {CwsError, errnoCode} from './errors.js';
import {PRIVATE_FILE_MODE, toFsError} from './file-ops.js';

export type AppendOptions = {
	/** fsync after the write (the audit log wants it; a session log may not). */
	fsync?: boolean;
};

const APPEND_FLAGS = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW;

/**
 * Appends one JSON record as one line with a single O_APPEND write, so lines
 * from several processes never interleave. The file is created 0600 (and
 * set to 0600 if it is not), and a symlink in its place is refused. A short
 * write (full disk) is terminated with a newline when possible so that the
 * torn line cannot swallow the next record, then reported as DISK_FULL.
 */
export async function appendJsonl(file: string, record: object, options: AppendOptions = {}): Promise<void> {
	const line = Buffer.from(`${JSON.stringify(record)}\n`, 'utf8');
	let handle;
	try {
		handle = await open(file, APPEND_FLAGS, PRIVATE_FILE_MODE);
	} catch (error) {
		if (errnoCode(error) === 'ELOOP') {
			throw new CwsError('SYMLINK_REFUSED', `Refusing to append to ${file}: it is a symbolic link.`, {
				hint: 'cws only writes its own regular files; replace the link with the file it points to, or remove it.',
			});
		}

		throw toFsError(error, file, 'append to');
	}

	try {
		const stats = await handle.stat();
		if ((stats.mode & 0o777) !== PRIVATE_FILE_MODE) {
			await handle.chmod(PRIVATE_FILE_MODE);
		}

		const {bytesWritten} = await handle.write(line, 0, line.length);
		if (bytesWritten !== line.length) {
			await handle.write('\n').catch(() => undefined);
			throw new CwsError('DISK_FULL', `Cannot append to ${file}: only ${bytesWritten} of ${line.length} bytes were written (disk full or file size limit).`, {
				hint: `Free some space on the disk holding ${file} and retry; the partial line will be skipped when the log is read.`,
			});
		}

		if (options.fsync) {
			await handle.sync();
		}
	} catch (error) {
		throw toFsError(error, file, 'append to');
	} finally {
		await handle.close();
	}
}

/** Records of a JSONL file plus what could not be read. */
export type JsonlContent<T> = {
	records: T[];
	/** Lines that are not JSON (garbage, or torn by a full disk), not counting the last. */
	skipped: number;
	/** True when the last line was torn (no newline and not JSON: a write cut short). */
	tornTail: boolean;
};

/** Reads every record of a JSONL file, skipping (and counting) lines that are not JSON. A missing file is empty. */
export async function readJsonlDetailed<T>(file: string): Promise<JsonlContent<T>> {
	let text: string;
	try {
		text = await readFile(file, 'utf8');
	} catch (error) {
		if (errnoCode(error) === 'ENOENT') {
			return {records: [], skipped: 0, tornTail: false};
		}

		throw toFsError(error, file, 'read');
	}

	const lines = text.split('\n');
	// After the final newline split() yields ''; anything else there is an unterminated line.
	const tail = lines.pop() ?? '';
	const records: T[] = [];
	let skipped = 0;
	for (const line of lines) {
		if (line.trim() === '') {
			continue;
		}

		try {
			records.push(JSON.parse(line) as T);
		} catch {
			skipped++;
		}
	}

	let tornTail = false;
	if (tail.trim() !== '') {
		try {
			// A complete record whose newline was not written yet is still a record.
			records.push(JSON.parse(tail) as T);
		} catch {
			tornTail = true;
		}
	}

	return {records, skipped, tornTail};
}

/** The records of a JSONL file; a torn last line and garbage lines are skipped. */
export async function readJsonl<T>(file: string): Promise<T[]> {
	return (await readJsonlDetailed<T>(file)).records;
}
