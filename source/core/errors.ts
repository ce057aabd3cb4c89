/**
 * Marks an error made by any copy of these classes. The full-screen
 * workspace is its own bundle with its own copy of this file, so an error it
 * throws is no instance of the CLI's CwsError; the CLI still has to print it
 * as one (message, hint, exit code) instead of as a bug. Symbol.for gives
 * every copy the same key.
 */
const CWS_ERROR: unique symbol = Symbol.for('cws.error');
/** Marks a UsageError the same way (exit code 2). */
const USAGE_ERROR: unique symbol = Symbol.for('cws.usage-error');

/**
 * Errors a user can cause or meet. Each carries a stable `code` for scripts
 * and tests, a message that says what happened and to what, and a `hint`
 * that says what to do next. The CLI prints `message` and `hint`; the TUI
 * shows them in a toast. Anything that is not a CwsError is a bug.
 */
export class CwsError extends Error {
	/** On the prototype: not an own property, so it adds nothing to a printed or compared error. */
	get [CWS_ERROR](): true {
		return true;
	}

	readonly code: string;
	readonly hint: string | undefined;

	constructor(code: string, message: string, options: {hint?: string; cause?: unknown} = {}) {
		super(message, options.cause === undefined ? undefined : {cause: options.cause});
		this.name = 'CwsError';
		this.code = code;
		this.hint = options.hint;
	}
}

/** Wrong arguments or flags: the CLI exits with code 2. */
export class UsageError extends CwsError {
	constructor(message: string, hint = 'Run `cws --help` to see the commands and their flags.') {
		super('USAGE', message, {hint});
		this.name = 'UsageError';
	}

	get [USAGE_ERROR](): true {
		return true;
	}
}

/** True for a CwsError (or UsageError), also one made by another bundle of cws. */
export function isCwsError(error: unknown): error is CwsError {
	return error instanceof CwsError || branded(error, CWS_ERROR);
}

/** True for a UsageError, also one made by another bundle of cws. */
export function isUsageError(error: unknown): error is UsageError {
	return error instanceof UsageError || branded(error, USAGE_ERROR);
}

function branded(error: unknown, brand: symbol): boolean {
	return error instanceof Error && (error as unknown as Record<symbol, unknown>)[brand] === true;
}

/** The errno code of a Node.js system error, if it has one. */
export function errnoCode(error: unknown): string | undefined {
	if (typeof error === 'object' && error !== null && 'code' in error) {
		const {code} = error as {code: unknown};
		return typeof code === 'string' ? code : undefined;
	}

	return undefined;
}

/** One line for the user: the message, then the hint when there is one. */
export function formatError(error: unknown): string {
	if (isCwsError(error)) {
		return error.hint ? `${error.message}\n${error.hint}` : error.message;
	}

	return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
