/**
 * Launches Debian's chromium through playwright-core with a fresh profile, and aborts every
 * request that would leave loopback so a run can prove it stayed on this machine.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type BrowserContext, type Page, type Route } from 'playwright-core';

export const chromiumPath = '/usr/bin/chromium';

/** Proxy address on loopback port 9 (discard), where nothing listens on this machine. */
const unusedLoopbackProxy = 'http://127.0.0.1:9';

const chromiumFlags = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Maximum number of blocked URLs kept for the report. The count covers all of them. */
const maxRecordedUrls = 50;

export interface BrowserOptions {
  /** Defaults to true. */
  headless?: boolean;
  /** Defaults to 1400x900 CSS pixels. */
  viewport?: { width: number; height: number };
}

export interface LoopbackBrowser {
  context: BrowserContext;
  page: Page;
  /** Number of requests aborted and WebSocket connections seen whose host is not loopback. */
  blockedRequestCount(): number;
  /** The first blocked URLs, in the order they were requested. */
  blockedUrls(): readonly string[];
  /** Closes the browser and removes its profile folder. */
  close(): Promise<void>;
}

/** Returns true for URLs that stay on this machine: loopback hosts, data: and blob: URLs. */
export function isLoopbackUrl(url: string | URL): boolean {
  let parsed: URL;
  try {
    parsed = typeof url === 'string' ? new URL(url) : url;
  } catch {
    return false;
  }
  if (parsed.protocol === 'data:' || parsed.protocol === 'blob:') {
    return true;
  }
  return ['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname);
}

/** Launches headless chromium with a new profile in a temporary folder, fenced to loopback. */
export async function launchLoopbackBrowser(
  options: BrowserOptions = {},
): Promise<LoopbackBrowser> {
  if (!fs.existsSync(chromiumPath)) {
    throw new Error(`Chromium not found at ${chromiumPath}. Run .ci/install-host.sh.`);
  }
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tcxc-chromium-'));
  const home = path.join(root, 'home');
  fs.mkdirSync(home);

  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(path.join(root, 'profile'), {
      executablePath: chromiumPath,
      headless: options.headless ?? true,
      args: chromiumFlags,
      // Fence for traffic that context.route cannot see: everything except loopback goes to a
      // proxy address where nothing listens, so it fails instead of leaving the machine.
      proxy: { server: unusedLoopbackProxy, bypass: '127.0.0.1,localhost,[::1]' },
      viewport: options.viewport ?? { width: 1400, height: 900 },
      // Chromium writes caches and an NSS database under HOME, so HOME is the temp folder.
      env: { ...process.env, HOME: home, XDG_CONFIG_HOME: home, XDG_CACHE_HOME: home },
    });
  } catch (error) {
    fs.rmSync(root, { recursive: true, force: true });
    throw error;
  }

  const blocked: string[] = [];
  let blockedCount = 0;
  const record = (url: string) => {
    blockedCount++;
    if (blocked.length < maxRecordedUrls) {
      blocked.push(url);
    }
  };

  await context.route('**/*', (route: Route) => {
    const url = route.request().url();
    if (isLoopbackUrl(url)) {
      return route.continue();
    }
    record(url);
    return route.abort('blockedbyclient');
  });
  // WebSockets bypass context.route. They are counted here, and the proxy fence set at launch
  // makes them fail. Playwright's routeWebSocket replaces the page's WebSocket class, and with it
  // the extension host never received VS Code's handshake in 3 of 9 test runs (code-server
  // 4.139.1, playwright-core 1.65.2, this repository's smoke suite), against 0 of 20 without it.
  const watchWebSockets = (page: Page) =>
    page.on('websocket', (socket) => {
      if (!isLoopbackUrl(socket.url())) {
        record(socket.url());
      }
    });
  context.pages().forEach(watchWebSockets);
  context.on('page', watchWebSockets);

  // Playwright kills chromium when the harness exits, and this handler removes the profile.
  const removeProfile = () => fs.rmSync(root, { recursive: true, force: true });
  process.on('exit', removeProfile);

  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    blockedRequestCount: () => blockedCount,
    blockedUrls: () => blocked,
    close: async () => {
      await context.close();
      process.off('exit', removeProfile);
      removeProfile();
    },
  };
}
