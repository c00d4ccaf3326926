// The webview tests' harness: the views' bundles served with the fake host (webview/dev/) under
// their real CSP, in one Chromium for the whole run. Each page is watched for what fails a run: a
// console error, an uncaught error, a CSP violation (with the bundle code that caused it), a
// dialog (a hostile name executed). Nothing is allowlisted: the fake host is ours, and no VS Code
// runs here.
import type { Browser, Page } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { launchChromium } from '../host/browser';
import { buildDevPages, codeAt, DevServer, startDevServer, ThemeName, ViewName } from '../../webview/dev/devServer';
import { readCspViolations, waitForDevReady } from './page';

/** The repository (this file runs from out/test/webview/). */
export const repoRoot = resolve(__dirname, '..', '..', '..');
export const screenshotsDir = join(repoRoot, 'test-results', 'screenshots');

interface Harness {
  server: DevServer;
  browser: Browser;
}

let started: Promise<Harness> | undefined;

/** Builds and serves the pages and launches Chromium, once for every file of the run. */
function harness(): Promise<Harness> {
  started ??= (async () => {
    buildDevPages(repoRoot);
    mkdirSync(screenshotsDir, { recursive: true });
    const server = await startDevServer(repoRoot);
    try {
      return { server, browser: await launchChromium(true) };
    } catch (error) {
      await server.close();
      throw error;
    }
  })();
  return started;
}

// A root hook (this module is loaded while mocha loads the test files): closes both at the end.
after(async () => {
  if (started) {
    const { server, browser } = await started;
    await browser.close();
    await server.close();
  }
});

export interface OpenOptions {
  theme?: ThemeName;
  width?: number;
  height?: number;
  /** What the page's getState() returns, as after a restart. */
  state?: unknown;
  /** Playwright's fake clock, installed before the page loads: tests move the page's time on. */
  clock?: boolean;
}

/** One page of a view, and what went wrong in it. */
export interface ViewPage {
  readonly tab: Page;
  readonly name: string;
  /** Console errors, uncaught errors, CSP violations and dialogs, as they came. */
  readonly problems: string[];
  /** Closes the page and returns every problem, the CSP violations the page saw included. */
  close(): Promise<string[]>;
}

/** Opens a view's page showing a fake host scenario, once the answers to its `ready` are in. */
export async function openView(view: ViewName, scenario: string, options: OpenOptions = {}): Promise<ViewPage> {
  const { server, browser } = await harness();
  const theme = options.theme ?? 'dark';
  const context = await browser.newContext({
    viewport: { width: options.width ?? 1000, height: options.height ?? 900 },
    deviceScaleFactor: 1,
  });
  const tab = await context.newPage();
  const problems: string[] = [];
  tab.on('console', (message) => {
    if (message.type() === 'error' || /Content Security Policy/i.test(message.text())) {
      const url = message.location().url;
      problems.push(`console ${message.type()}: ${message.text()}${url ? ` (${url})` : ''}`);
    }
  });
  tab.on('pageerror', (error) => problems.push(`uncaught ${String(error)}`));
  tab.on('dialog', (dialog) => {
    problems.push(`dialog ${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
  let closed = false;
  const close = async (): Promise<string[]> => {
    if (!closed) {
      closed = true;
      // Violations the page saw but Chromium did not log (report-only, or the console not yet attached).
      for (const violation of await readCspViolations(tab).catch(() => [])) {
        const at = codeAt(repoRoot, violation.sourceFile, violation.line, violation.column);
        const text = `csp ${violation.directive} at ${at?.module ?? violation.sourceFile}:${violation.line}:${violation.column} ${at?.code ?? ''}`;
        if (!problems.includes(text)) {
          problems.push(text);
        }
      }
      await context.close();
    }
    return problems;
  };
  try {
    if (options.clock) {
      await tab.clock.install();
    }
    await tab.goto(server.url(view, scenario, theme, options.state));
    await waitForDevReady(tab);
  } catch (error) {
    await close();
    throw error;
  }
  return { tab, name: `${view} ${scenario} ${theme}`, problems, close };
}

/**
 * Opens a page for a describe block's tests (before), which share it in order, and closes it
 * after; end the block with itLeavesNoProblems().
 */
export function usePage(view: ViewName, scenario: string, options: OpenOptions = {}): { readonly page: ViewPage } {
  let opened: ViewPage | undefined;
  before(async () => {
    opened = await openView(view, scenario, options);
  });
  after(async () => {
    await opened?.close();
  });
  return {
    get page(): ViewPage {
      if (!opened) {
        throw new Error(`the ${view} ${scenario} page did not open`);
      }
      return opened;
    },
  };
}

/** The last test of a block from usePage(): its page logged no error and saw no CSP violation or dialog. */
export function itLeavesNoProblems(use: { readonly page: ViewPage }): void {
  it('no console error, page error, CSP violation or dialog', async () => {
    const problems = await use.page.close();
    assertNoProblems(use.page.name, problems);
  });
}

export function assertNoProblems(name: string, problems: readonly string[]): void {
  if (problems.length) {
    throw new Error(`page ${name}:\n    ${problems.join('\n    ')}`);
  }
}
