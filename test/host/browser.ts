/**
 * Debian's Chromium (/usr/bin/chromium) driven by playwright-core. Playwright's own browser
 * downloads cannot be reached from these machines, so never `npx playwright install`.
 */
import { existsSync } from 'node:fs';
import { chromium, Browser, BrowserContext, Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Flags for a closed network: without the background-networking ones Chromium keeps trying (and
 * failing) to reach Google's services. --no-sandbox because the tests run as root.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export const VIEWPORT = { width: 1400, height: 900 } as const;

export interface BrowserSession {
  readonly browser: Browser;
  readonly context: BrowserContext;
  readonly page: Page;
  /** Closes the browser (idempotent). */
  close(): Promise<void>;
}

export interface LaunchOptions {
  /** Default true; `HEADED=1` in the environment turns it off (needs a display). */
  headless?: boolean;
  viewport?: { width: number; height: number };
}

/** Launches Chromium with CHROMIUM_ARGS, and no page: the webview tests open their own. */
export async function launchChromium(headless = process.env.HEADED !== '1'): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `${CHROMIUM_PATH} is missing: apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium`,
    );
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless, args: [...CHROMIUM_ARGS] });
}

/** Launches Chromium with one context (1400x900) and one page. */
export async function launchBrowser(options: LaunchOptions = {}): Promise<BrowserSession> {
  const browser = await launchChromium(options.headless);
  try {
    // Clipboard permissions, so a test can read what the extension copied (e.g. Copy snapshot).
    const context = await browser.newContext({
      viewport: options.viewport ?? VIEWPORT,
      permissions: ['clipboard-read', 'clipboard-write'],
    });
    const page = await context.newPage();
    let closed = false;
    return {
      browser,
      context,
      page,
      close: async () => {
        if (closed) {
          return;
        }
        closed = true;
        await browser.close().catch(() => undefined);
      },
    };
  } catch (error) {
    await browser.close().catch(() => undefined);
    throw error;
  }
}
