/**
 * Runs the CDR panel's script in a real browser without VS Code. A static server on loopback
 * serves the panel's HTML (with its content security policy), script and stylesheet. Before the
 * page loads, a stand-in for the webview host's `acquireVsCodeApi` records the posted messages
 * and keeps the saved state in sessionStorage, so the state survives a reload as it does in VS
 * Code. Messages from the "extension" go the way VS Code sends them: as JSON text with typed
 * arrays beside it as binary data, then through two `postMessage` hops into the panel's window.
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { renderPanelHtml } from '../../src/panel/html';
import type { ColumnId, FromPanel, ToPanel } from '../../src/panel/protocol';
import { repoRoot } from './codeServer';

export const panelScriptPath = path.join(repoRoot, 'dist', 'webview', 'panel.js');
export const panelStylePath = path.join(repoRoot, 'media', 'panel.css');

export interface PanelServer {
  /** `http://127.0.0.1:<port>`: the page's origin and the policy's `cspSource`. */
  readonly origin: string;
  close(): Promise<void>;
}

/** Starts the static server on 127.0.0.1 with a free port. Each page load gets a fresh nonce. */
export async function startPanelServer(): Promise<PanelServer> {
  for (const file of [panelScriptPath, panelStylePath]) {
    if (!fs.existsSync(file)) {
      throw new Error(`${file} not found. Run "node esbuild.mjs" first.`);
    }
  }
  let origin = '';
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', origin);
    const send = (type: string, body: string | Buffer) => {
      response.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'no-store' });
      response.end(body);
    };
    if (request.method !== 'GET') {
      response.writeHead(405).end();
    } else if (url.pathname === '/') {
      const html = renderPanelHtml({
        cspSource: origin,
        nonce: randomUUID(),
        scriptUri: `${origin}/panel.js`,
        styleUri: `${origin}/panel.css`,
      });
      send('text/html; charset=utf-8', html);
    } else if (url.pathname === '/panel.js') {
      send('text/javascript; charset=utf-8', fs.readFileSync(panelScriptPath));
    } else if (url.pathname === '/panel.css') {
      send('text/css; charset=utf-8', fs.readFileSync(panelStylePath));
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The CSS variables and body class that VS Code sets for one colour theme. */
export interface WebviewTheme {
  readonly bodyClass: 'vscode-light' | 'vscode-dark' | 'vscode-high-contrast';
  readonly variables: Readonly<Record<string, string>>;
}

const SHARED_VARIABLES: Readonly<Record<string, string>> = {
  '--vscode-font-family': 'system-ui, "Ubuntu", "Droid Sans", sans-serif',
  '--vscode-font-size': '13px',
  '--vscode-font-weight': 'normal',
  '--vscode-editor-font-family': '"Droid Sans Mono", "monospace", monospace',
  '--vscode-editor-font-size': '14px',
};

/** Values of VS Code's default Light Modern and Dark Modern themes. */
export const THEMES: Readonly<Record<'light' | 'dark', WebviewTheme>> = {
  light: {
    bodyClass: 'vscode-light',
    variables: {
      ...SHARED_VARIABLES,
      '--vscode-foreground': '#3b3b3b',
      '--vscode-descriptionForeground': '#3b3b3b',
      '--vscode-editor-background': '#ffffff',
      '--vscode-panel-border': '#e5e5e5',
      '--vscode-focusBorder': '#005fb8',
      '--vscode-errorForeground': '#f85149',
      '--vscode-list-activeSelectionBackground': '#e8e8e8',
      '--vscode-list-activeSelectionForeground': '#000000',
      '--vscode-list-hoverBackground': '#f2f2f2',
      '--vscode-input-background': '#ffffff',
      '--vscode-input-foreground': '#3b3b3b',
      '--vscode-input-border': '#cecece',
      '--vscode-input-placeholderForeground': '#767676',
      '--vscode-inputValidation-errorBorder': '#be1100',
      '--vscode-dropdown-background': '#ffffff',
      '--vscode-dropdown-foreground': '#3b3b3b',
      '--vscode-dropdown-border': '#cecece',
      '--vscode-button-background': '#005fb8',
      '--vscode-button-foreground': '#ffffff',
      '--vscode-button-hoverBackground': '#0258a8',
      '--vscode-button-border': '#0000001a',
      '--vscode-button-secondaryBackground': '#e5e5e5',
      '--vscode-button-secondaryForeground': '#3b3b3b',
      '--vscode-button-secondaryHoverBackground': '#cccccc',
      '--vscode-charts-green': '#388a34',
      '--vscode-charts-red': '#e51400',
      '--vscode-charts-blue': '#1a85ff',
      '--vscode-charts-yellow': '#bf8803',
      '--vscode-charts-orange': '#d18616',
    },
  },
  dark: {
    bodyClass: 'vscode-dark',
    variables: {
      ...SHARED_VARIABLES,
      '--vscode-foreground': '#cccccc',
      '--vscode-descriptionForeground': '#9d9d9d',
      '--vscode-editor-background': '#1f1f1f',
      '--vscode-panel-border': '#2b2b2b',
      '--vscode-focusBorder': '#0078d4',
      '--vscode-errorForeground': '#f85149',
      '--vscode-list-activeSelectionBackground': '#04395e',
      '--vscode-list-activeSelectionForeground': '#ffffff',
      '--vscode-list-hoverBackground': '#2a2d2e',
      '--vscode-input-background': '#313131',
      '--vscode-input-foreground': '#cccccc',
      '--vscode-input-border': '#3c3c3c',
      '--vscode-input-placeholderForeground': '#989898',
      '--vscode-inputValidation-errorBorder': '#be1100',
      '--vscode-dropdown-background': '#313131',
      '--vscode-dropdown-foreground': '#cccccc',
      '--vscode-dropdown-border': '#3c3c3c',
      '--vscode-button-background': '#0078d4',
      '--vscode-button-foreground': '#ffffff',
      '--vscode-button-hoverBackground': '#026ec1',
      '--vscode-button-border': '#ffffff12',
      '--vscode-button-secondaryBackground': '#313131',
      '--vscode-button-secondaryForeground': '#cccccc',
      '--vscode-button-secondaryHoverBackground': '#3c3c3c',
      '--vscode-charts-green': '#89d185',
      '--vscode-charts-red': '#f14c4c',
      '--vscode-charts-blue': '#3794ff',
      '--vscode-charts-yellow': '#cca700',
      '--vscode-charts-orange': '#d18616',
    },
  },
};

/** A `securitypolicyviolation` event as recorded in the page. */
export interface CspViolation {
  readonly directive: string;
  readonly blockedUri: string;
  readonly sample: string;
}

/** What the stand-in records and offers in the page, under `window.__panelHost`. */
export interface HostRecord {
  readonly posted: unknown[];
  readonly violations: CspViolation[];
  /**
   * Later parts of a snapshot, as the extension sends them: when the panel posts `nextRows` for
   * the transfer of the first part here, that part is delivered and removed.
   */
  readonly queue: unknown[];
  /** Delivers a message from the "extension" as VS Code does; see {@link installHostStandIn}. */
  deliver(message: unknown): void;
}

/**
 * The few browser globals that the page functions below use. The test program is compiled
 * without the DOM library, so these describe only what is needed.
 */
/** The parts of a DOM element that the page functions below read. */
interface PageElement {
  readonly className: string;
  readonly textContent: string | null;
  readonly childNodes: ArrayLike<PageNode>;
  getAttribute(name: string): string | null;
  querySelector(selector: string): PageElement | null;
}

/** A DOM node: text nodes have `nodeType` 3 and their text in `data`. */
interface PageNode {
  readonly nodeType: number;
  readonly data?: string;
}

/** A DOM range, used to measure where one character is drawn. */
interface PageRange {
  setStart(node: PageNode, offset: number): void;
  setEnd(node: PageNode, offset: number): void;
  getBoundingClientRect(): { readonly left: number; readonly width: number };
}

/** One character of an element's text and where it is drawn, in CSS pixels from the left. */
export interface CharacterBox {
  readonly character: string;
  readonly left: number;
  readonly width: number;
}

/** One drawn row of the panel's table, as read from the page. */
export interface ShownRow {
  /** The row's `aria-rowindex`: 2 for the first data row, as the header row is 1. */
  readonly rowIndex: number;
  readonly id: string;
  readonly selected: boolean;
  readonly classes: readonly string[];
  /** The text of each cell's value, without its marker. */
  readonly cells: Readonly<Record<ColumnId, string>>;
}

const COLUMN_IDS: readonly ColumnId[] = [
  'time',
  'cli',
  'cld',
  'country',
  'vendor',
  'duration',
  'amount',
  'cause',
];

/** The parts of the table and of a text input that the page functions below use. */
interface PageControl {
  scrollTop: number;
  readonly scrollHeight: number;
  value: string;
  dispatchEvent(event: unknown): boolean;
}

interface PageGlobals {
  __panelHost?: HostRecord;
  structuredClone<T>(value: T, options?: { transfer?: unknown[] }): T;
  performance: { now(): number };
  Event: new (type: string, init?: { bubbles?: boolean }) => unknown;
  acquireVsCodeApi?: () => unknown;
  postMessage(message: unknown, targetOrigin: string): void;
  addEventListener(type: string, listener: (event: { data?: unknown }) => void): void;
  removeEventListener(type: string, listener: (event: { data?: unknown }) => void): void;
  setTimeout(callback: () => void, ms: number): number;
  ArrayBuffer: { isView(value: unknown): boolean };
  sessionStorage: {
    getItem(key: string): string | null;
    setItem(key: string, value: string): void;
  };
  document: {
    querySelector(selector: string): PageControl | null;
    createRange(): PageRange;
    querySelectorAll(selector: string): ArrayLike<PageElement>;
    documentElement: { style: { setProperty(name: string, value: string): void } } | null;
    body: { classList: { remove(...names: string[]): void; add(name: string): void } } | null;
    addEventListener(
      type: string,
      listener: (event: {
        violatedDirective?: string;
        effectiveDirective?: string;
        blockedURI?: string;
        sample?: string;
      }) => void,
    ): void;
  };
}

/** The sessionStorage key where the stand-in keeps the state saved with `setState`. */
const STATE_KEY = 'tcxc-panel-state';

interface StandInOptions {
  readonly stateKey: string;
  readonly theme: WebviewTheme;
}

/** A typed array, as far as the delivery below uses it. */
interface PageTypedArray {
  readonly constructor: { readonly name: string };
  slice(): PageTypedArray;
  readonly buffer: unknown;
}

/**
 * Runs in the page before its scripts: installs `acquireVsCodeApi`, applies the theme and
 * collects CSP violations. It is serialized, so it must not use anything from this module.
 *
 * `deliver` takes a message the way VS Code takes it from `Webview.postMessage` for an extension
 * whose `engines.vscode` is 1.57 or later. The extension host writes it as JSON text with each
 * typed array replaced by a reference to a binary copy. The workbench parses the text, with a
 * reviver that puts the typed arrays back only when there are any. It posts the message to the
 * webview's outer frame, which posts it on to the panel's frame. These are two structured clones,
 * with the arrays' buffers transferred. Here all of that runs in the panel's page, one step after
 * the other, where VS Code spreads it over three processes.
 */
function installHostStandIn(options: StandInOptions): void {
  const page = globalThis as unknown as PageGlobals;
  const deliver = (message: unknown): void => {
    const binary: PageTypedArray[] = [];
    const text = JSON.stringify(message, (_key, value: unknown) => {
      if (page.ArrayBuffer.isView(value)) {
        const array = value as PageTypedArray;
        binary.push(array.slice());
        return { $typedArray: binary.length - 1, kind: array.constructor.name };
      }
      return value;
    });
    const reviver = (_key: string, value: unknown): unknown => {
      const reference = value as { $typedArray?: number; kind?: string } | null;
      if (typeof reference?.$typedArray === 'number' && typeof reference.kind === 'string') {
        return binary[reference.$typedArray];
      }
      return value;
    };
    const parsed: unknown = binary.length > 0 ? JSON.parse(text, reviver) : JSON.parse(text);
    // The second hop copies the arrays where VS Code moves them: a few hundred kilobytes a part.
    const outerFrame = page.structuredClone(parsed, {
      transfer: binary.map((array) => array.buffer),
    });
    page.postMessage(outerFrame, '*');
  };
  const record: HostRecord = { posted: [], violations: [], queue: [], deliver };
  page.__panelHost = record;
  page.document.addEventListener('securitypolicyviolation', (event) => {
    record.violations.push({
      directive: event.effectiveDirective ?? event.violatedDirective ?? '',
      blockedUri: event.blockedURI ?? '',
      sample: event.sample ?? '',
    });
  });
  let acquired = false;
  page.acquireVsCodeApi = () => {
    if (acquired) {
      throw new Error('An instance of the VS Code API has already been acquired');
    }
    acquired = true;
    // The panel protocol allows plain JSON only, so messages and state go through JSON here and
    // a bigint or a cycle makes the test fail.
    return {
      postMessage: (message: unknown) => {
        const copy = JSON.parse(JSON.stringify(message)) as { type?: unknown; transfer?: unknown };
        record.posted.push(copy);
        const next = record.queue[0] as { transfer?: { id?: unknown } } | undefined;
        if (copy.type === 'nextRows' && next !== undefined && next.transfer?.id === copy.transfer) {
          record.queue.shift();
          // The reply crosses processes in VS Code, so it never arrives within the same task.
          page.setTimeout(() => deliver(next), 0);
        }
      },
      getState: (): unknown => {
        const text = page.sessionStorage.getItem(options.stateKey);
        return text === null ? undefined : (JSON.parse(text) as unknown);
      },
      setState: (state: unknown) => {
        page.sessionStorage.setItem(options.stateKey, JSON.stringify(state));
        return state;
      },
    };
  };
  const applyTheme = () => {
    const root = page.document.documentElement;
    for (const [name, value] of Object.entries(options.theme.variables)) {
      root?.style.setProperty(name, value);
    }
    page.document.body?.classList.add(options.theme.bodyClass);
  };
  applyTheme();
  page.document.addEventListener('DOMContentLoaded', applyTheme);
}

/**
 * Runs in the page: delivers `message`, and with `later`, queues those parts for the panel's
 * `nextRows` requests in place of any queued before. Then posts a marker and resolves when the
 * marker arrives. Window messages keep their order, so by then the panel's listener has handled
 * `message`.
 */
async function postAndWait(spec: { message: ToPanel; later?: ToPanel[] }): Promise<number> {
  const page = globalThis as unknown as PageGlobals;
  const host = page.__panelHost;
  if (host === undefined) {
    throw new Error('The stand-in for the webview host is not installed');
  }
  if (spec.later !== undefined) {
    host.queue.splice(0, host.queue.length, ...spec.later);
  }
  const marker = `delivered-${Math.random()}`;
  const start = page.performance.now();
  await new Promise<void>((resolve) => {
    const listener = (event: { data?: unknown }) => {
      if (event.data === marker) {
        page.removeEventListener('message', listener);
        resolve();
      }
    };
    page.addEventListener('message', listener);
    host.deliver(spec.message);
    page.postMessage(marker, '*');
  });
  return page.performance.now() - start;
}

/** One page showing the panel, with the stand-in host installed. */
export class PanelPage {
  private constructor(
    readonly page: Page,
    readonly server: PanelServer,
  ) {}

  /** Opens a new page on the panel and waits until the script has posted `ready`. */
  static async open(
    context: BrowserContext,
    server: PanelServer,
    theme: WebviewTheme = THEMES.light,
  ): Promise<PanelPage> {
    const page = await context.newPage();
    await page.addInitScript(installHostStandIn, { stateKey: STATE_KEY, theme });
    const panel = new PanelPage(page, server);
    await page.goto(`${server.origin}/`);
    await panel.waitForPosted((message) => message.type === 'ready', 'the ready message');
    return panel;
  }

  /**
   * Delivers a message as the extension would, and returns once the panel's listener has run,
   * with the milliseconds that took in the page.
   */
  async deliver(message: ToPanel): Promise<number> {
    return this.page.evaluate(postAndWait, { message });
  }

  /**
   * Delivers the first message of a snapshot, and each later part as soon as the panel requests
   * it with `nextRows`, as the extension does. Returns once the panel has handled the first.
   */
  async deliverParts(first: ToPanel, later: readonly ToPanel[]): Promise<number> {
    return this.page.evaluate(postAndWait, { message: first, later: [...later] });
  }

  /** Returns the number of later parts that the panel has not requested yet. */
  async queuedParts(): Promise<number> {
    return this.page.evaluate(
      () => (globalThis as unknown as PageGlobals).__panelHost?.queue.length ?? 0,
    );
  }

  /** Sets an input's value, dispatches `input`, and returns how long its handlers ran, in ms. */
  async timeInput(selector: string, value: string): Promise<number> {
    return this.page.evaluate(
      ({ target, text }) => {
        const page = globalThis as unknown as PageGlobals;
        const input = page.document.querySelector(target);
        if (input === null) {
          throw new Error(`No element matches ${target}`);
        }
        input.value = text;
        const start = page.performance.now();
        input.dispatchEvent(new page.Event('input', { bubbles: true }));
        return page.performance.now() - start;
      },
      { target: selector, text: value },
    );
  }

  /** Returns every message the script has posted since the page loaded or {@link clearPosted}. */
  async posted(): Promise<FromPanel[]> {
    return this.page.evaluate(
      () => ((globalThis as unknown as PageGlobals).__panelHost?.posted ?? []) as FromPanel[],
    );
  }

  async clearPosted(): Promise<void> {
    await this.page.evaluate(() => {
      (globalThis as unknown as PageGlobals).__panelHost?.posted.splice(0);
    });
  }

  /** Content security policy violations reported in the page since it loaded. */
  async violations(): Promise<CspViolation[]> {
    return this.page.evaluate(
      () => (globalThis as unknown as PageGlobals).__panelHost?.violations ?? [],
    );
  }

  /** Waits for a posted message that matches `accept`, and returns it. */
  async waitForPosted(accept: (message: FromPanel) => boolean, what: string): Promise<FromPanel> {
    const messages = await waitUntil(
      () => this.posted(),
      (list) => list.some(accept),
      what,
    );
    return messages.find(accept) as FromPanel;
  }

  /** Reads the table rows that are in the DOM, in display order. */
  async shownRows(): Promise<ShownRow[]> {
    return this.page.evaluate((columns) => {
      const document = (globalThis as unknown as PageGlobals).document;
      const rows = Array.from(document.querySelectorAll('.grid-body .grid-row')).map((row) => ({
        rowIndex: Number(row.getAttribute('aria-rowindex')),
        id: row.getAttribute('id') ?? '',
        selected: row.getAttribute('aria-selected') === 'true',
        classes: row.className.split(/\s+/),
        cells: Object.fromEntries(
          columns.map((column) => [
            column,
            row.querySelector(`.col-${column} .value`)?.textContent ?? '',
          ]),
        ) as Record<ColumnId, string>,
      }));
      return rows.sort((a, b) => a.rowIndex - b.rowIndex);
    }, COLUMN_IDS);
  }

  /**
   * Reloads the page and waits for `ready`, as when VS Code shows a panel again whose hidden
   * document it destroyed. The saved state survives, the posted messages start over.
   */
  async reload(): Promise<void> {
    await this.page.reload();
    await this.waitForPosted((message) => message.type === 'ready', 'ready after the reload');
  }

  /** Returns the state the script last saved with `setState`, or undefined. */
  async savedState(): Promise<unknown> {
    return this.page.evaluate((key) => {
      const text = (globalThis as unknown as PageGlobals).sessionStorage.getItem(key);
      return text === null ? undefined : (JSON.parse(text) as unknown);
    }, STATE_KEY);
  }

  /** Replaces the saved state, such as with state saved by an older version of the script. */
  async setSavedState(state: unknown): Promise<void> {
    await this.page.evaluate(
      ({ key, text }) => {
        (globalThis as unknown as PageGlobals).sessionStorage.setItem(key, text);
      },
      { key: STATE_KEY, text: JSON.stringify(state) },
    );
  }

  /**
   * Measures each character of the text nodes directly inside the first element that matches
   * `selector`, in text order. Text inside child elements, such as markers, is left out.
   */
  async characterBoxes(selector: string): Promise<CharacterBox[]> {
    return this.page.evaluate((target) => {
      const document = (globalThis as unknown as PageGlobals).document;
      const element = document.querySelectorAll(target)[0];
      if (element === undefined) {
        throw new Error(`No element matches ${target}`);
      }
      const boxes: CharacterBox[] = [];
      for (const node of Array.from(element.childNodes)) {
        const text = node.nodeType === 3 ? (node.data ?? '') : '';
        for (let offset = 0; offset < text.length; offset++) {
          const range = document.createRange();
          range.setStart(node, offset);
          range.setEnd(node, offset + 1);
          const rect = range.getBoundingClientRect();
          boxes.push({ character: text[offset], left: rect.left, width: rect.width });
        }
      }
      return boxes;
    }, selector);
  }

  /** Scrolls the table to `top` pixels, or to its end, as a user dragging the scroll bar. */
  async scrollTable(top: number | 'end'): Promise<void> {
    await this.page.evaluate((to) => {
      const grid = (globalThis as unknown as PageGlobals).document.querySelector('.grid');
      if (grid === null) {
        throw new Error('The table (.grid) is not in the page');
      }
      grid.scrollTop = to === 'end' ? grid.scrollHeight : to;
    }, top);
  }

  /** Switches the theme as VS Code does: new variable values and a new body class. */
  async setTheme(theme: WebviewTheme): Promise<void> {
    await this.page.evaluate((next) => {
      const page = globalThis as unknown as PageGlobals;
      for (const [name, value] of Object.entries(next.variables)) {
        page.document.documentElement?.style.setProperty(name, value);
      }
      page.document.body?.classList.remove('vscode-light', 'vscode-dark', 'vscode-high-contrast');
      page.document.body?.classList.add(next.bodyClass);
    }, theme);
  }

  async close(): Promise<void> {
    await this.page.close();
  }
}

/**
 * Reads a value until `accept` returns true, and returns it. Throws after `timeoutMs` with the
 * last value read, so a failure shows what the page showed instead.
 */
export async function waitUntil<T>(
  read: () => Promise<T>,
  accept: (value: T) => boolean,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (accept(value)) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `Timed out after ${timeoutMs} ms waiting for ${what}; last value: ${show(value)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
}
