/**
 * Turns typed CDRs into the plain JSON the panel receives: one compact row per CDR for the
 * table and the summaries, and the full details of the selected CDR.
 */
import { Cdr } from '../model/cdr';
import { checkCharge } from '../model/charge';
import { formatMicros } from '../model/money';
import { describeCause } from '../model/q850';
import { CdrDetails, ChargeView, PanelRow, TimelineView } from './protocol';

const MAX_SAFE_MICROS = BigInt(Number.MAX_SAFE_INTEGER);

/** Builds the table row of a CDR. */
export function toPanelRow(cdr: Cdr): PanelRow {
  return {
    key: cdr.key,
    id: cdr.iCdr ?? '',
    time: (cdr.connectTime ?? cdr.setupTime)?.getTime() ?? null,
    cli: cdr.cli,
    cld: cdr.cld,
    callId: cdr.callId,
    country: cdr.countryName,
    vendor: cdr.vendorName,
    answered: cdr.answered,
    duration: cdr.durationSeconds ?? null,
    billed: cdr.billedSeconds ?? null,
    amountMicros: safeMicros(cdr.amountMicros),
    code: cdr.disconnectCode ?? null,
    reason: cdr.disconnectReason,
    charge: checkCharge(cdr).status,
    problems: cdr.problems.length,
  };
}

/** Builds the details pane of a CDR: every raw field, the cause, the timeline and the charge. */
export function cdrDetails(cdr: Cdr): CdrDetails {
  return {
    key: cdr.key,
    fields: Object.entries(cdr.raw).map(([name, value]) => ({ name, value: fieldText(value) })),
    problems: [...cdr.problems],
    cause: {
      code: cdr.disconnectCode ?? null,
      reason: cdr.disconnectReason,
      meaning: describeCause(cdr.disconnectCode),
      answered: cdr.answered,
    },
    timeline: timeline(cdr),
    charge: chargeView(cdr),
  };
}

function timeline(cdr: Cdr): TimelineView {
  const setup = cdr.setupTime?.getTime() ?? null;
  const connect = cdr.connectTime?.getTime() ?? null;
  const disconnect = cdr.disconnectTime?.getTime() ?? null;
  const seconds = (from: number | null, to: number | null) =>
    from !== null && to !== null && to >= from ? Math.round((to - from) / 1000) : null;
  return {
    setup,
    connect,
    disconnect,
    ringSeconds: seconds(setup, connect),
    talkSeconds: cdr.durationSeconds ?? seconds(connect, disconnect),
  };
}

function chargeView(cdr: Cdr): ChargeView {
  const check = checkCharge(cdr);
  const difference = check.differenceMicros;
  return {
    status: check.status,
    summary: check.summary,
    steps: check.steps,
    expectedBilledSeconds: check.expectedBilledSeconds ?? null,
    recordBilledSeconds: cdr.billedSeconds ?? null,
    expectedAmount:
      check.expectedAmountMicros === undefined ? null : formatMicros(check.expectedAmountMicros),
    recordAmount: cdr.amountMicros === undefined ? null : formatMicros(cdr.amountMicros),
    difference:
      difference === undefined ? null : `${difference > 0n ? '+' : ''}${formatMicros(difference)}`,
  };
}

/** Field values as shown: text as sent, anything else as its JSON text. */
function fieldText(value: unknown): string {
  if (typeof value === 'string') {
    return value;
  }
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    // JSON.parse accepts nesting deeper than JSON.stringify and String can walk back.
    return '(too deeply nested to show)';
  }
}

/** Micro-units as a number when exact; a larger amount is left out rather than rounded. */
function safeMicros(micros: bigint | undefined): number | null {
  if (micros === undefined || micros > MAX_SAFE_MICROS || micros < -MAX_SAFE_MICROS) {
    return null;
  }
  return Number(micros);
}
