/**
 * The details pane of one CDR: its cause, timeline, charge check, problems and every raw field,
 * with buttons to open the record as JSON and to copy its call ID or the whole record.
 */
import { stripUnsafe } from '../model/format';
import type { CdrDetails, ChargeView, TimelineView } from '../panel/protocol';
import { MISSING, formatRowCause, formatRowTime, revealUnsafe } from '../panel/table';
import { h, replaceChildren, srOnly, svg } from './dom';

export interface DetailsEvents {
  onOpenJson(key: string): void;
  onCopyCallId(key: string): void;
  onCopyRecord(key: string): void;
}

const CHARGE_BADGES: Readonly<Record<ChargeView['status'], { glyph: string; label: string }>> = {
  ok: { glyph: '✓', label: 'Charge matches' },
  mismatch: { glyph: '≠', label: 'Charge mismatch' },
  unknown: { glyph: '?', label: 'Charge unknown' },
};

export class DetailsPane {
  readonly element: HTMLElement;
  private readonly content: HTMLDivElement;

  constructor(private readonly events: DetailsEvents) {
    this.content = h('div', { class: 'details-content' });
    this.element = h(
      'section',
      { class: 'details', 'aria-label': 'CDR details', tabindex: -1 },
      this.content,
    );
    this.show(null);
  }

  show(details: CdrDetails | null): void {
    this.element.classList.toggle('empty', details === null);
    if (details === null) {
      replaceChildren(
        this.content,
        h(
          'p',
          { class: 'details-placeholder' },
          'Select a CDR to see its cause, timeline, charge check and every field.',
        ),
      );
      return;
    }
    replaceChildren(
      this.content,
      this.header(details),
      problemsSection(details.problems),
      causeSection(details.cause),
      timelineSection(details.timeline),
      chargeSection(details.charge),
      fieldsSection(details.fields),
    );
  }

  private header(details: CdrDetails): HTMLElement {
    const id = stripUnsafe(details.fields.find((field) => field.name === 'i_cdr')?.value ?? '');
    const button = (label: string, action: (key: string) => void) => {
      const element = h('button', { type: 'button', class: 'button-secondary' }, label);
      element.addEventListener('click', () => action(details.key));
      return element;
    };
    return h(
      'header',
      { class: 'details-header' },
      h('h2', { class: 'details-title' }, id === '' ? 'CDR without i_cdr' : `CDR ${id}`),
      h(
        'div',
        { class: 'details-actions' },
        button('Open as JSON', (key) => this.events.onOpenJson(key)),
        button('Copy call ID', (key) => this.events.onCopyCallId(key)),
        button('Copy record', (key) => this.events.onCopyRecord(key)),
      ),
    );
  }
}

function section(title: string, className: string, ...children: Node[]): HTMLElement {
  return h('section', { class: `details-section ${className}` }, h('h3', {}, title), ...children);
}

function problemsSection(problems: readonly string[]): HTMLElement | null {
  if (problems.length === 0) {
    return null;
  }
  return section(
    'Problems',
    'details-problems',
    h(
      'p',
      {},
      h('span', { class: 'marker marker-malformed', 'aria-hidden': 'true' }, '⚠'),
      ' Some fields could not be read, so figures that depend on them are missing.',
    ),
    h('ul', {}, ...problems.map((problem) => h('li', {}, stripUnsafe(problem)))),
  );
}

function causeSection(cause: CdrDetails['cause']): HTMLElement {
  const causeText = formatRowCause(cause);
  const [className, glyph, label] = cause.answered
    ? ['badge-ok', '✓ ', 'Answered']
    : ['badge-failed', '✕ ', 'Failed'];
  const badge = h(
    'span',
    { class: `badge ${className}` },
    h('span', { 'aria-hidden': 'true' }, glyph),
    label,
  );
  return section(
    'Cause',
    'details-cause',
    h('p', { class: 'cause-line' }, badge, ' ', h('span', { class: 'cause-text' }, causeText)),
    h('p', { class: 'cause-meaning' }, stripUnsafe(cause.meaning)),
  );
}

function formatSeconds(seconds: number | null): string {
  return seconds === null ? MISSING : `${seconds} s`;
}

function formatUtc(time: number | null): string {
  const text = formatRowTime(time);
  return text === MISSING ? text : `${text} UTC`;
}

function timelineSection(timeline: TimelineView): HTMLElement {
  const list = nameValueList([
    ['Setup', formatUtc(timeline.setup)],
    ['Connect', formatUtc(timeline.connect)],
    ['Disconnect', formatUtc(timeline.disconnect)],
    ['Ring', formatSeconds(timeline.ringSeconds)],
    ['Talk', formatSeconds(timeline.talkSeconds)],
  ]);
  return section('Timeline', 'details-timeline', timelineBar(timeline), list);
}

/** Draws setup → connect → disconnect as one bar split into ring time and talk time. */
function timelineBar(timeline: TimelineView): HTMLElement {
  const ring = Math.max(0, timeline.ringSeconds ?? 0);
  const talk = Math.max(0, timeline.talkSeconds ?? 0);
  const total = ring + talk;
  if (total === 0) {
    return h('p', { class: 'timeline-none' }, 'No ring or talk time recorded.');
  }
  const ringWidth = (ring / total) * 100;
  const label = `Ring ${ring} s, talk ${talk} s`;
  const bar = svg(
    'svg',
    {
      class: 'timeline-bar',
      viewBox: '0 0 100 10',
      preserveAspectRatio: 'none',
      'aria-hidden': 'true',
    },
    svg(
      'rect',
      { class: 'timeline-ring', x: 0, y: 0, width: ringWidth, height: 10 },
      svg('title', {}, `Ring ${ring} s`),
    ),
    svg(
      'rect',
      { class: 'timeline-talk', x: ringWidth, y: 0, width: 100 - ringWidth, height: 10 },
      svg('title', {}, `Talk ${talk} s`),
    ),
  );
  return h('figure', { class: 'timeline' }, bar, timelineLabels(ringWidth), srOnly(label));
}

/**
 * Labels the bar's ends and the connect point. When connect is within 25 % of an end, the two
 * labels are joined so they do not overlap.
 */
function timelineLabels(connectPercent: number): HTMLElement {
  const labels = h('figcaption', { class: 'timeline-labels', 'aria-hidden': 'true' });
  if (connectPercent <= 25) {
    labels.append(h('span', {}, 'Setup · Connect'), h('span', {}, 'Disconnect'));
  } else if (connectPercent >= 75) {
    labels.append(h('span', {}, 'Setup'), h('span', {}, 'Connect · Disconnect'));
  } else {
    const connect = h('span', { class: 'timeline-connect' }, 'Connect');
    connect.style.setProperty('left', `${connectPercent}%`);
    labels.append(h('span', {}, 'Setup'), connect, h('span', {}, 'Disconnect'));
  }
  return labels;
}

function chargeSection(charge: ChargeView): HTMLElement {
  const badge = CHARGE_BADGES[charge.status];
  const figures = h(
    'table',
    { class: 'charge-figures' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, ''),
        h('th', { scope: 'col' }, 'Expected'),
        h('th', { scope: 'col' }, 'Record'),
      ),
    ),
    h(
      'tbody',
      {},
      figureRow(
        'Billed seconds',
        numberText(charge.expectedBilledSeconds),
        numberText(charge.recordBilledSeconds),
      ),
      figureRow('Amount', charge.expectedAmount ?? MISSING, charge.recordAmount ?? MISSING),
      charge.difference === null ? null : figureRow('Difference', '', charge.difference),
    ),
  );
  return section(
    'Charge check',
    `details-charge charge-${charge.status}`,
    h(
      'p',
      { class: 'charge-line' },
      h(
        'span',
        { class: `badge badge-charge-${charge.status}` },
        h('span', { 'aria-hidden': 'true' }, `${badge.glyph} `),
        badge.label,
      ),
      ' ',
      h('span', { class: 'charge-summary' }, stripUnsafe(charge.summary)),
    ),
    charge.steps.length === 0
      ? h('p', { class: 'charge-none' }, 'No computation steps.')
      : h(
          'ol',
          { class: 'charge-steps' },
          ...charge.steps.map((step) => h('li', {}, stripUnsafe(step))),
        ),
    figures,
  );
}

function numberText(value: number | null): string {
  return value === null ? MISSING : String(value);
}

function figureRow(label: string, expected: string, record: string): HTMLTableRowElement {
  return h(
    'tr',
    {},
    h('th', { scope: 'row' }, label),
    h('td', { class: 'numeric' }, expected),
    h('td', { class: 'numeric' }, record),
  );
}

function fieldsSection(fields: CdrDetails['fields']): HTMLElement {
  return section(
    `Fields (${fields.length})`,
    'details-fields',
    nameValueList(fields.map((field) => [field.name, field.value])),
  );
}

/** Lists names and values in full, with each unsafe character shown as a marker. */
function nameValueList(pairs: readonly (readonly [string, string])[]): HTMLDListElement {
  const list = h('dl', { class: 'name-values' });
  for (const [name, value] of pairs) {
    const definition =
      value === ''
        ? h('dd', { class: 'empty-value' }, 'empty')
        : h('dd', {}, ...revealedText(value));
    list.append(h('dt', {}, ...revealedText(name)), definition);
  }
  return list;
}

/**
 * Builds the nodes that show `text` in full. Each control or bidirectional character becomes a
 * marker such as `⟨U+202E⟩`, so the buyer can tell that the record contains one and it cannot
 * reorder the text.
 */
function revealedText(text: string): (string | HTMLSpanElement)[] {
  return revealUnsafe(text).map((part) =>
    part.marker
      ? h(
          'span',
          { class: 'unsafe-character', title: 'Invisible control or text direction character' },
          part.text,
        )
      : part.text,
  );
}
