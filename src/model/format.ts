import { Cdr } from './cdr';
import { CallTotals } from './grouping';
import { formatMicros } from './money';

/** Formats seconds as `m:ss`, or `h:mm:ss` from one hour. */
export function formatDuration(totalSeconds: number): string {
  const seconds = Math.max(0, Math.floor(totalSeconds));
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = String(seconds % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${rest}` : `${minutes}:${rest}`;
}

/** Formats a time as `YYYY-MM-DD HH:MM:SS UTC`, or a dash when it is missing. */
export function formatUtc(date: Date | undefined): string {
  return date ? `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC` : '—';
}

/** Shows a digits-only destination or caller number in E.164 form with a leading `+`. */
export function formatNumber(number: string): string {
  return /^\d+$/.test(number) ? `+${number}` : number;
}

/** Formats totals as one line, for example `12 calls · 3 failed · 25.5 min · 0.123400`. */
export function formatTotals(totals: CallTotals): string {
  const parts = [`${totals.calls} ${totals.calls === 1 ? 'call' : 'calls'}`];
  if (totals.failed > 0) {
    parts.push(`${totals.failed} failed`);
  }
  parts.push(`${(totals.durationSeconds / 60).toFixed(1)} min`, formatMicros(totals.amountMicros));
  return parts.join(' · ');
}

/** Formats the cause of a failed call, for example `17 User busy`. */
export function formatCause(cdr: Cdr): string {
  const code = cdr.disconnectCode === undefined ? '' : String(cdr.disconnectCode);
  return [code, cdr.disconnectReason].filter((part) => part !== '').join(' ') || 'unknown cause';
}

/** Maximum length of one tree label or tooltip line; the rest is cut with an ellipsis. */
const MAX_LINE_LENGTH = 200;

/**
 * One character that could make a label read differently from its content: a C0 or C1 control
 * character, a line or paragraph separator, or a bidirectional mark, embedding, override or
 * isolate. The pattern has no flags, so build a global copy from its `source` to match them all.
 */
export const UNSAFE_CHARACTER =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point here.
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

const UNSAFE_RUNS = new RegExp(`${UNSAFE_CHARACTER.source}+`, 'g');

/**
 * Replaces each run of {@link UNSAFE_CHARACTER}s with one space, collapses repeated spaces and
 * trims. The result is one line of any length.
 */
export function stripUnsafe(text: string): string {
  return text.replace(UNSAFE_RUNS, ' ').replace(/ {2,}/g, ' ').trim();
}

/** Makes API text safe for one line of UI: no control characters, no line breaks, bounded length. */
export function singleLine(text: string): string {
  const clean = stripUnsafe(text);
  return clean.length > MAX_LINE_LENGTH ? `${clean.slice(0, MAX_LINE_LENGTH)}…` : clean;
}

/**
 * Makes text inert where VS Code renders a subset of Markdown: notifications turn `[text](link)`
 * into a link, and quick picks turn `$(name)` into an icon. A space breaks both patterns.
 */
export function inertText(text: string): string {
  return text.replace(/\]\(/g, '] (').replace(/\$\(/g, '$ (');
}
