/** Rows shared by the panel unit tests. */
import type { PanelRow } from '../../src/panel/protocol';

/** Builds a row of an answered 42-second call. Tests override the fields they check. */
export function panelRow(overrides: Partial<PanelRow> = {}): PanelRow {
  return {
    key: 'i_cdr:501',
    id: '501',
    time: Date.UTC(2026, 2, 1, 10, 0, 7),
    cli: '12025550100',
    cld: '442071234567',
    callId: 'a1b2c3d4e5f60718',
    country: 'United Kingdom',
    vendor: 'Telia',
    answered: true,
    duration: 42,
    billed: 42,
    amountMicros: 3491,
    code: 16,
    reason: 'Normal Call Clearing',
    charge: 'ok',
    problems: 0,
    ...overrides,
  };
}
