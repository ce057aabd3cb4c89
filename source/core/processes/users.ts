import fs from 'node:fs';
import {errnoCode} from '../errors.js';

/**
 * uid → login name from /etc/passwd, read once per process. A listing names
 * hundreds of processes every two seconds; re-reading the file each time
 * would cost more than the listing itself. Users added while we run show by
 * number until the next start, which is what `ps` did for decades too.
 */
let names: Map<number, string> | undefined;

/** Login name for a uid, or the uid as text when /etc/passwd does not list it. */
export function userName(uid: number): string {
	names ??= loadPasswd();
	return names.get(uid) ?? String(uid);
}

/** uid of a login name (or of a numeric string), undefined when unknown. */
export function userId(name: string): number | undefined {
	if (/^\d+$/.test(name)) {
		return Number(name);
	}

	names ??= loadPasswd();
	for (const [uid, login] of names) {
		if (login === name) {
			return uid;
		}
	}

	return undefined;
}

/** Parses passwd text: `name:x:uid:gid:…` per line. */
export function parsePasswd(text: string): Map<number, string> {
	const map = new Map<number, string>();
	for (const line of text.split('\n')) {
		const [name, , uid] = line.split(':');
		if (name && uid && /^\d+$/.test(uid) && !map.has(Number(uid))) {
			map.set(Number(uid), name);
		}
	}

	return map;
}

function loadPasswd(): Map<number, string> {
	try {
		return parsePasswd(fs.readFileSync('/etc/passwd', 'utf8'));
	} catch (error) {
		// A system without /etc/passwd (some containers, macOS uses
		// Directory Services) shows uids as numbers.
		if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'EACCES') {
			return new Map();
		}

		throw error;
	}
}
