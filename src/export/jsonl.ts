/** JSON Lines of raw TCXC records: one JSON value per line, each ended by LF. No `vscode`. */

/**
 * Characters that JSON.stringify writes unescaped but that some line readers treat as a line end,
 * such as Python's `str.splitlines()`: NEL, LINE SEPARATOR and PARAGRAPH SEPARATOR.
 */
const LINE_BREAKING = /[\u0085\u2028\u2029]/g;

/**
 * Formats one raw record as JSON.stringify writes it, plus LF. The line parses back to a value
 * deeply equal to `raw` (-0 aside), because JSON.stringify escapes CR, LF and the other control
 * characters, and this function escapes the few other characters that split lines in some
 * readers. Throws a RangeError for a record nested deeper than JSON.stringify can write.
 */
export function jsonLine(raw: unknown): string {
  // NOTE: The line matches the record as JSON.parse read it, not always the text the API sent.
  // JSON.parse rounds integers beyond 2^53 before the export receives them, and JSON.stringify
  // writes -0 as `0`.
  let text: string | undefined;
  try {
    text = JSON.stringify(raw);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new RangeError(`The record cannot be written as JSON: ${reason}`);
  }
  if (text === undefined) {
    throw new RangeError(`The record cannot be written as JSON: it is ${typeof raw}`);
  }
  return `${text.replace(LINE_BREAKING, escapeCharacter)}\n`;
}

function escapeCharacter(character: string): string {
  return `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`;
}
