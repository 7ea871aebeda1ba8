/**
 * Model benchmark: parsing, typing and grouping 100,000 CDRs from response text, against
 * JSON.parse of the same text alone.
 */
import { generateCdrs } from '../../src/emulator/dataset';
import { successReply } from '../../src/emulator/reply';
import { toCdr } from '../../src/model/cdr';
import { CdrCollection } from '../../src/model/grouping';
import { Figure, formatBytes, formatMs, formatNumber, median, timeRuns } from './stats';

const RECORD_COUNT = 100_000;
const PAGE_SIZE = 1_000;
const DAYS = 30;
const WARMUPS = 3;
const RUNS = 7;
const GOAL_RATIO = 1.5;

/** Response bodies of consecutive pages, newest calls first, as the emulator sends them. */
export function buildResponseTexts(count: number, pageSize: number): string[] {
  const end = Date.UTC(2026, 2, 31, 23, 59, 59);
  const records = generateCdrs({
    seed: 30,
    count,
    start: new Date(end - DAYS * 86_400_000),
    end: new Date(end),
  }).reverse();
  const texts: string[] = [];
  for (let offset = 0; offset < records.length; offset += pageSize) {
    texts.push(successReply(records.slice(offset, offset + pageSize)).body);
  }
  return texts;
}

function parseOnly(texts: readonly string[]): number {
  let records = 0;
  for (const text of texts) {
    records += (JSON.parse(text) as { cdrs: unknown[] }).cdrs.length;
  }
  return records;
}

/** Parses the texts and keeps the records, the least that any typed view must also do. */
function parseAndKeep(texts: readonly string[]): unknown[][] {
  return texts.map((text) => (JSON.parse(text) as { cdrs: unknown[] }).cdrs);
}

function parseTypeAndGroup(texts: readonly string[]): CdrCollection {
  const collection = new CdrCollection();
  for (const text of texts) {
    const body = JSON.parse(text) as { cdrs: unknown[] };
    collection.add(body.cdrs.map(toCdr));
  }
  return collection;
}

export async function runModelBench(): Promise<Figure> {
  const texts = buildResponseTexts(RECORD_COUNT, PAGE_SIZE);
  const bytes = texts.reduce((sum, text) => sum + Buffer.byteLength(text), 0);
  const parsedCount = parseOnly(texts);
  const grouped = parseTypeAndGroup(texts);

  const baselineRuns: number[] = [];
  const measuredRuns: number[] = [];
  const keepRuns: number[] = [];
  // Alternate the three so that a slower stretch of the machine affects them alike.
  for (let round = 0; round < RUNS; round++) {
    const warmups = round === 0 ? WARMUPS : 0;
    baselineRuns.push(...(await timeRuns(() => parseOnly(texts), { warmups, runs: 1 })));
    measuredRuns.push(...(await timeRuns(() => parseTypeAndGroup(texts), { warmups, runs: 1 })));
    keepRuns.push(...(await timeRuns(() => parseAndKeep(texts), { warmups, runs: 1 })));
  }

  const keep = median(keepRuns);
  const baseline = median(baselineRuns);
  const measured = median(measuredRuns);
  const ratio = measured / baseline;
  return {
    name: 'model',
    measuredLabel: 'JSON.parse + toCdr + CdrCollection.add',
    measured,
    baselineLabel: 'JSON.parse alone',
    baseline,
    unit: 'ms',
    goal: `at most ${GOAL_RATIO}× JSON.parse`,
    met: ratio <= GOAL_RATIO,
    notes: [
      `${formatNumber(RECORD_COUNT)} CDRs over ${DAYS} days in ${texts.length} responses of ` +
        `${formatNumber(PAGE_SIZE)} (${formatBytes(bytes)}); median of ${RUNS} runs after ` +
        `${WARMUPS} warm-up runs, each after a full garbage collection`,
      `runs: JSON.parse ${baselineRuns.map(formatMs).join(', ')}; ` +
        `typed ${measuredRuns.map(formatMs).join(', ')}`,
      `JSON.parse keeping every parsed record (no typing): ${formatMs(keep)}, ` +
        `${formatNumber(keep / baseline, 2)}× JSON.parse alone`,
      `check: parsed ${formatNumber(parsedCount)}, grouped ${formatNumber(grouped.size)} ` +
        `into ${grouped.dates().length} dates`,
    ],
  };
}
