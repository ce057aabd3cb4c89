// Ink measures every text it lays out with string-width, whose answer for
// anything beyond ASCII goes through Intl.Segmenter and Unicode property
// regular expressions: the first such call compiles those expressions (tens
// of milliseconds) and each later one costs far more than a lookup. The board
// is drawn with box lines, arrows and dots, so without this the first frame
// pays for all of it. The bundle routes Ink's `string-width` here: text made
// only of characters that string-width itself counts as one column each (and
// that never join their neighbours into one grapheme), with no escape
// sequence but colour ones (SGR, which string-width strips), is answered by
// its length; anything else goes to string-width unchanged.
// test/build/string-width.test.ts checks every listed character against it.
import stringWidthExact from 'string-width';

/** BMP characters string-width 8 counts as one column, alone and beside others. */
export const ONE_COLUMN = /^[\u0020-\u007E\u00A0-\u00AC\u00AE-\u02FF\u0370-\u0482\u048A-\u052F\u2010-\u2029\u202F-\u205F\u2190-\u2319\u231C-\u2328\u232B-\u23E8\u2400-\u25FC\u25FF-\u2613\u2690-\u2692\u2694-\u26A0\u2713-\u2727\u27C0-\u28FF\uFFFD]*$/;

/** Colour and style sequences, matched exactly as string-width's ansi-regex matches them. */
const SGR = /\u001B\[(?:\d{1,4}(?:;\d{0,4})*)?m/g;

/** string-width's answer, computed at once for text of one-column characters. */
export default function stringWidth(text, options) {
	if (typeof text === 'string' && options?.ambiguousIsNarrow !== false && options?.countAnsiEscapeCodes !== true) {
		const visible = text.includes('\u001B') ? text.replace(SGR, '') : text;
		if (ONE_COLUMN.test(visible)) return visible.length;
	}

	return stringWidthExact(text, options);
}
