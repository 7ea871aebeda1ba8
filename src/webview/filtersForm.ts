/**
 * The query form: time window, custom UTC range, destination prefix, which calls, page size. It
 * validates with the same rules as the extension and shows each error next to its field.
 */
import { validateFilters } from '../panel/filters';
import type { FilterErrors, FilterField, PanelFilters } from '../panel/protocol';
import type { ShowFilter } from '../client/query';
import { WINDOW_LABELS, type WindowPreset } from '../model/timeWindow';
import { h, toggleAttribute } from './dom';

export interface FiltersFormEvents {
  /** The user submitted filters that passed validation. */
  onApply(filters: PanelFilters): void;
  /** The user changed a field. */
  onChange(filters: PanelFilters): void;
}

const SHOW_LABELS: Readonly<Record<ShowFilter, string>> = {
  all: 'All calls',
  bad: 'Failed calls only',
};

const FIELD_ORDER: readonly FilterField[] = ['window', 'from', 'to', 'prefix', 'show', 'pageSize'];

const DATE_PLACEHOLDER = 'YYYY-MM-DD HH:MM:SS';

type Control = HTMLInputElement | HTMLSelectElement;

interface Field {
  readonly wrapper: HTMLDivElement;
  readonly control: Control;
  readonly error: HTMLDivElement;
}

export class FiltersForm {
  readonly element: HTMLFormElement;
  private readonly fields: Record<FilterField, Field>;
  private readonly windowSelect: HTMLSelectElement;
  private readonly showSelect: HTMLSelectElement;
  private readonly from: HTMLInputElement;
  private readonly to: HTMLInputElement;
  private readonly prefix: HTMLInputElement;
  private readonly pageSize: HTMLInputElement;
  /** Errors are checked again on every edit once a submit or the extension has shown some. */
  private showingErrors = false;

  constructor(private readonly events: FiltersFormEvents) {
    this.windowSelect = h('select', { id: 'filter-window', name: 'window' });
    for (const [value, label] of Object.entries(WINDOW_LABELS)) {
      this.windowSelect.appendChild(h('option', { value }, label));
    }
    this.from = textInput('filter-from', DATE_PLACEHOLDER);
    this.to = textInput('filter-to', DATE_PLACEHOLDER);
    this.prefix = textInput('filter-prefix', 'All destinations');
    this.prefix.inputMode = 'numeric';
    this.showSelect = h('select', { id: 'filter-show', name: 'show' });
    for (const [value, label] of Object.entries(SHOW_LABELS)) {
      this.showSelect.appendChild(h('option', { value }, label));
    }
    this.pageSize = textInput('filter-pageSize', '100');
    this.pageSize.inputMode = 'numeric';

    this.fields = {
      window: field('window', 'Time window', this.windowSelect),
      from: field('from', 'From (UTC)', this.from),
      to: field('to', 'To (UTC)', this.to),
      prefix: field('prefix', 'Destination prefix', this.prefix),
      show: field('show', 'Calls', this.showSelect),
      pageSize: field('pageSize', 'Page size', this.pageSize),
    };
    const apply = h('button', { type: 'submit', class: 'button-primary' }, 'Apply');
    this.element = h(
      'form',
      { class: 'filters', novalidate: true, 'aria-label': 'Query filters' },
      ...FIELD_ORDER.map((name) => this.fields[name].wrapper),
      h('div', { class: 'field field-actions' }, apply),
    );
    this.element.addEventListener('submit', (event) => {
      event.preventDefault();
      this.submit();
    });
    this.element.addEventListener('input', () => this.changed());
    this.element.addEventListener('change', () => this.changed());
    this.updateRangeVisibility();
  }

  /** The form's values exactly as typed. */
  get value(): PanelFilters {
    return {
      window: this.windowSelect.value as WindowPreset,
      from: this.from.value,
      to: this.to.value,
      prefix: this.prefix.value,
      show: this.showSelect.value as ShowFilter,
      pageSize: this.pageSize.value,
    };
  }

  /** Replaces every value and clears the errors. */
  set(filters: PanelFilters): void {
    this.windowSelect.value = filters.window;
    this.from.value = filters.from;
    this.to.value = filters.to;
    this.prefix.value = filters.prefix;
    this.showSelect.value = filters.show;
    this.pageSize.value = filters.pageSize;
    this.updateRangeVisibility();
    this.showErrors({});
  }

  /** Shows one message next to each invalid field and clears the others. */
  showErrors(errors: FilterErrors): void {
    this.showingErrors = Object.keys(errors).length > 0;
    for (const name of FIELD_ORDER) {
      const { wrapper, control, error } = this.fields[name];
      const message = errors[name];
      error.textContent = message ?? '';
      error.hidden = message === undefined;
      wrapper.classList.toggle('invalid', message !== undefined);
      toggleAttribute(control, 'aria-invalid', message === undefined ? null : 'true');
      toggleAttribute(control, 'aria-describedby', message === undefined ? null : error.id);
    }
    // A custom range error must stay visible even when the window is no longer custom.
    if (errors.from !== undefined || errors.to !== undefined) {
      this.fields.from.wrapper.hidden = false;
      this.fields.to.wrapper.hidden = false;
    }
  }

  /** Moves focus to the first field that shows an error. */
  focusFirstError(): void {
    const first = FIELD_ORDER.find((name) => !this.fields[name].error.hidden);
    if (first !== undefined) {
      this.fields[first].control.focus();
    }
  }

  private submit(): void {
    const filters = this.value;
    const { errors } = validateFilters(filters);
    this.showErrors(errors);
    if (Object.keys(errors).length > 0) {
      this.focusFirstError();
      return;
    }
    this.events.onApply(filters);
  }

  private changed(): void {
    this.updateRangeVisibility();
    if (this.showingErrors) {
      this.showErrors(validateFilters(this.value).errors);
    }
    this.events.onChange(this.value);
  }

  private updateRangeVisibility(): void {
    const custom = this.windowSelect.value === 'custom';
    this.fields.from.wrapper.hidden = !custom;
    this.fields.to.wrapper.hidden = !custom;
  }
}

function textInput(id: string, placeholder: string): HTMLInputElement {
  return h('input', {
    id,
    type: 'text',
    placeholder,
    autocomplete: 'off',
    spellcheck: 'false',
  });
}

function field(name: FilterField, label: string, control: Control): Field {
  const error = h('div', { class: 'field-error', id: `filter-${name}-error`, hidden: true });
  const wrapper = h(
    'div',
    { class: `field field-${name}` },
    h('label', { for: control.id }, label),
    control,
    error,
  );
  return { wrapper, control, error };
}
