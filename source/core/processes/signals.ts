import {UsageError} from '../errors.js';
import {STOP_SIGNALS, type StopSignal} from './stop.js';

/** 'term', 'TERM', 'SIGTERM' → 'SIGTERM'; undefined → SIGTERM; anything else is a UsageError. */
export function parseStopSignal(text: unknown): StopSignal {
	if (text === undefined) {
		return 'SIGTERM';
	}

	const name = String(text).toUpperCase();
	const signal = (name.startsWith('SIG') ? name : `SIG${name}`) as StopSignal;
	if (!STOP_SIGNALS.includes(signal)) {
		throw new UsageError(
			`The signal must be one of ${STOP_SIGNALS.join(', ')} (got '${String(text)}').`,
			'SIGKILL follows any of them after the grace period if the process is still running.',
		);
	}

	return signal;
}

/** A grace period typed in seconds (0–3600, fractions allowed) → ms; undefined stays undefined. */
export function parseGraceSeconds(text: unknown): number | undefined {
	if (text === undefined) {
		return undefined;
	}

	const seconds = Number(text);
	if (String(text).trim() === '' || !Number.isFinite(seconds) || seconds < 0 || seconds > 3600) {
		throw new UsageError(`The grace period must be a number of seconds between 0 and 3600 (got '${String(text)}').`);
	}

	return Math.round(seconds * 1000);
}
