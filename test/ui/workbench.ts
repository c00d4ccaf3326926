/**
 * A VS Code workbench for UI tests that run in plain Node (mocha): code-server with the extension
 * loaded for real use (no extensionTestsPath), opened in headless Chromium at 1400x900.
 *
 *   const wb = await openWorkbench();
 *   await wb.runCommand('Memory: Inspect Process');
 *   const frame = await wb.findWebviewFrame(hasSelector('#chart'));
 *   await wb.screenshot('inspect-panel');
 *   await wb.close();
 *
 * Webviews are nested iframes: the workbench holds `iframe.webview` (VS Code's host page,
 * .../webview/browser/pre/index.html), which holds the extension's document in an inner iframe
 * (`#active-frame`, URL .../pre/fake.html). Playwright lists every one in `page.frames()`;
 * findWebviewFrame() looks only at those inner documents.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ConsoleMessage, Frame, Locator, Page } from 'playwright-core';
import { launchBrowser, BrowserSession } from '../host/browser';
import { repoRoot, startCodeServer, workbenchUrl, CodeServer } from '../host/codeServer';

export const SCREENSHOT_DIR = path.join(repoRoot, 'test-results', 'screenshots');

export interface WorkbenchOptions {
  /** Extension folder(s) to load; default the repository root (none when `vsix` is given). */
  extensionDevelopmentPath?: string | string[];
  /** A `.vsix` to install into the server instead of loading the development folder: the extension as it ships. */
  vsix?: string;
  /** Folder to open; default a fresh temporary folder with a README.txt (removed on close). */
  folder?: string;
  /** Extra user settings, e.g. `{ 'workbench.colorTheme': 'Default Dark Modern' }`. */
  settings?: Record<string, unknown>;
  /** Extra environment for code-server and so the extension host. */
  env?: NodeJS.ProcessEnv;
  /** How long to wait for the workbench to be ready; default 90 s. */
  readyTimeoutMs?: number;
}

/** One message of the page's console (webview frames included), kept for later assertions. */
export interface CollectedConsoleMessage {
  type: string;
  text: string;
  /** URL of the frame or script that logged it, when Chromium tells. */
  url: string;
}

/** Predicate for findWebviewFrame: the webview's document has an element matching `selector`. */
export function hasSelector(selector: string): (frame: Frame) => Promise<boolean> {
  return async (frame) => (await frame.locator(selector).count()) > 0;
}

/** Predicate for findWebviewFrame: the webview's document title is `title`. */
export function hasTitle(title: string | RegExp): (frame: Frame) => Promise<boolean> {
  return async (frame) => {
    const actual = await frame.title();
    return typeof title === 'string' ? actual === title : title.test(actual);
  };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * What VS Code (code-server) itself logs in the test host, and why it is not ours. Everything
 * else that is a console error, an uncaught page error or a CSP violation fails the UI suite
 * (see Workbench.problems): our webviews must log none.
 */
export const VSCODE_OWN_MESSAGES: readonly { pattern: RegExp; url?: RegExp; reason: string }[] = [
  {
    pattern: /^Failed to load resource: the server responded with a status of 404/,
    url: /\/static\/node_modules\/vsda\/rust\/web\/vsda(_bg\.wasm|\.js)$/,
    reason:
      "code-server does not ship vsda, Microsoft's closed-source module that signs the connection handshake; the workbench tries to load it, gets a 404 and goes on without it",
  },
  {
    pattern:
      /\[lifecycle\] Long running operations during shutdown are unsupported in the web \(id: join\.(disconnectRemote|chatSessionStore|chatEditingSession)\)/,
    url: /\/static\/out\/vs\/code\/browser\/workbench\/workbench\.js$/,
    reason:
      "VS Code's web workbench logs this when the window reloads (a UI test reloads it): its own services (remote connection, chat) ask to delay the shutdown, which a browser cannot",
  },
  {
    pattern:
      /Unable to write file 'vscode-log:\/[^']*\/window\.log' \(Error: IndexedDB database 'vscode-web-db' is closed\.\)/,
    url: /\/static\/out\/vs\/code\/browser\/workbench\/workbench\.js$/,
    reason:
      "VS Code's web workbench writes its own window log to IndexedDB; during a window reload (a UI test reloads) the database is already closed for the unloading page",
  },
];

/** The DOM id of Proc Memory's status bar entry (publisher.name.id). */
export const PROC_MEMORY_STATUS_ITEM = 'proc-memory.proc-memory.procMemory.status';

/** A console error, page error or CSP violation, with where it came from. */
export interface PageProblem {
  kind: 'console-error' | 'page-error' | 'csp';
  text: string;
  url: string;
}

export class Workbench {
  /** Every console message of the page and its frames since the workbench opened. */
  readonly consoleMessages: CollectedConsoleMessage[] = [];
  /** Uncaught exceptions of the page and its frames (webviews included). */
  readonly pageErrors: { text: string; url: string }[] = [];
  private problemsChecked = 0;

  private constructor(
    readonly server: CodeServer,
    readonly session: BrowserSession,
    readonly folder: string,
    private readonly ownFolder: boolean,
  ) {
    session.page.on('console', (message: ConsoleMessage) => {
      this.consoleMessages.push({ type: message.type(), text: message.text(), url: message.location().url });
    });
    session.page.on('pageerror', (error: Error) => {
      this.pageErrors.push({ text: `${error.name}: ${error.message}\n${error.stack ?? ''}`, url: '' });
    });
  }

  get page(): Page {
    return this.session.page;
  }

  /** Starts code-server and Chromium, opens the workbench and waits until it is ready. */
  static async open(options: WorkbenchOptions = {}): Promise<Workbench> {
    const ownFolder = options.folder === undefined;
    const folder = options.folder ?? mkdtempSync(path.join(os.tmpdir(), 'proc-memory-ui-'));
    if (ownFolder) {
      writeFileSync(path.join(folder, 'README.txt'), 'Workspace of a Proc Memory UI test.\n');
    }
    let server: CodeServer | undefined;
    let session: BrowserSession | undefined;
    try {
      server = await startCodeServer({
        folder,
        settings: options.settings,
        env: options.env,
        installExtensions: options.vsix ? [options.vsix] : undefined,
      });
      session = await launchBrowser();
      const workbench = new Workbench(server, session, folder, ownFolder);
      await session.page.goto(
        workbenchUrl(server, {
          folder,
          extensionDevelopmentPath: options.extensionDevelopmentPath ?? (options.vsix ? undefined : repoRoot),
        }),
      );
      await workbench.waitReady(options.readyTimeoutMs ?? 90_000);
      return workbench;
    } catch (error) {
      await session?.close();
      await server?.stop();
      if (ownFolder) {
        rmSync(folder, { recursive: true, force: true });
      }
      throw error;
    }
  }

  /**
   * Waits for the workbench shell (activity bar, editor area, status bar), the connection to the
   * server (the remote indicator, the explorer's folder) and the configured color theme.
   */
  async waitReady(timeoutMs = 90_000): Promise<void> {
    const page = this.page;
    const options = { state: 'visible' as const, timeout: timeoutMs };
    await page.locator('.monaco-workbench').waitFor(options);
    await page.locator('.part.statusbar').waitFor(options);
    await page.locator('.part.activitybar').waitFor(options);
    await page.locator('.part.editor').waitFor(options);
    await page.locator('[id="status.host"]').waitFor(options);
    // The explorer shows the folder once the remote file system answers.
    await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor(options);
    // The workbench first paints with a built-in fallback theme; the class of the configured theme
    // (from the theme-defaults extension) arrives once extension contributions are registered.
    await page.locator('.monaco-workbench[class*="vscode-theme-"]').waitFor(options);
  }

  /**
   * Opens the command palette (F1) with `text` typed after the `>`; returns the widget. Works with
   * the focus anywhere, a webview included (their documents are iframes that keep keys to
   * themselves), and with another quick input open.
   */
  async openCommandPalette(text = '', timeoutMs = 15_000): Promise<Locator> {
    const page = this.page;
    const widget = page.locator('.quick-input-widget');
    const input = widget.locator('.quick-input-box input');
    const deadline = Date.now() + timeoutMs;
    for (let attempt = 1; ; attempt++) {
      if (await widget.isVisible()) {
        await page.keyboard.press('Escape');
        await widget.waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => undefined);
      }
      // Keys typed while a webview's iframe has the focus stay in it: bring the focus back.
      // (A string, because this project's Node tsconfig has no DOM types.)
      await page.evaluate(`(() => { const a = document.activeElement; if (a && a.tagName === 'IFRAME') a.blur(); })()`);
      await page.keyboard.press('F1');
      try {
        await input.waitFor({ state: 'visible', timeout: Math.min(5_000, Math.max(1_000, deadline - Date.now())) });
        await input.fill(`>${text}`, { timeout: 5_000 });
        return widget;
      } catch (error) {
        if (Date.now() > deadline) {
          throw new Error(
            `the command palette did not open after ${attempt} attempts: ${error instanceof Error ? error.message : error}`,
          );
        }
      }
    }
  }

  /** Labels of the quick input rows now rendered (the list is virtual: only the visible ones). */
  async quickInputLabels(): Promise<string[]> {
    const rows = this.page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
    return rows.evaluateAll((elements) =>
      elements.map(
        (element) =>
          element.querySelector('.label-name')?.textContent?.trim() ?? element.getAttribute('aria-label') ?? '',
      ),
    );
  }

  /**
   * The command palette's entries for `text` (for "Memory:", every command of that category
   * visible in the palette). Waits until the list settles; closes the palette afterwards.
   */
  async commandPaletteItems(text: string, settleMs = 500): Promise<string[]> {
    await this.openCommandPalette(text);
    let labels = await this.waitForStableLabels(settleMs);
    if (labels.length === 0) {
      labels = await this.waitForStableLabels(settleMs * 4);
    }
    await this.page.keyboard.press('Escape');
    return labels;
  }

  private async waitForStableLabels(settleMs: number): Promise<string[]> {
    let previous = '';
    let labels: string[] = [];
    for (let i = 0; i < 20; i++) {
      await sleep(settleMs / 2);
      labels = await this.quickInputLabels();
      const key = labels.join('\n');
      if (key === previous) {
        break;
      }
      previous = key;
    }
    return labels;
  }

  /**
   * Runs a command through the palette by its title as the palette shows it, category included
   * (e.g. 'Memory: Inspect Process'). Throws when no entry has exactly that label.
   */
  async runCommand(paletteTitle: string, timeoutMs = 15_000): Promise<void> {
    const widget = await this.openCommandPalette(paletteTitle);
    const row = widget
      .locator('.quick-input-list .monaco-list-row')
      .filter({
        has: this.page.locator('.label-name', { hasText: new RegExp(`^\\s*${escapeRegExp(paletteTitle)}\\s*$`) }),
      })
      // The list is virtual: a recycled row can hold the same label while hidden.
      .filter({ visible: true })
      .first();
    try {
      await row.waitFor({ state: 'visible', timeout: timeoutMs });
    } catch {
      const seen = await this.quickInputLabels();
      await this.page.keyboard.press('Escape');
      throw new Error(`no command palette entry "${paletteTitle}"; entries: ${seen.join(' | ') || '(none)'}`);
    }
    // The palette focuses its best match: Enter runs it as a user would; a click can land while the
    // list re-renders (seen in CI: the row resolved but "not visible" for 30 s).
    if ((await row.getAttribute('class'))?.split(' ').includes('focused')) {
      await this.page.keyboard.press('Enter');
    } else {
      await row.click();
    }
  }

  /**
   * Answers an open quick pick (e.g. a process picker the extension shows): types `text` and
   * picks the first row whose label matches `label` (default: the first row).
   */
  async pickQuickInput(text: string, label?: string | RegExp, timeoutMs = 15_000): Promise<void> {
    await this.pickRow(text, label === undefined ? undefined : { label }, timeoutMs);
  }

  /**
   * Picks the process `pid` in the process picker (Memory: Inspect Process, Watch Process): the
   * row whose description starts with that PID. Typing the PID also matches other rows that
   * hold its digits (PID 741 is in 7417, and in command lines), and the picker sorts by memory.
   */
  async pickProcess(pid: number, timeoutMs = 15_000): Promise<void> {
    await (await this.processRow(pid, timeoutMs)).click();
  }

  /** The process picker's row for `pid` (see pickProcess), visible and not yet clicked. */
  async processRow(pid: number, timeoutMs = 15_000): Promise<Locator> {
    return this.findRow(String(pid), { description: new RegExp(`^${pid} ·`) }, timeoutMs);
  }

  private async pickRow(
    text: string,
    filter: { label?: string | RegExp; description?: RegExp } | undefined,
    timeoutMs: number,
  ): Promise<void> {
    await (await this.findRow(text, filter, timeoutMs)).click();
  }

  private async findRow(
    text: string,
    filter: { label?: string | RegExp; description?: RegExp } | undefined,
    timeoutMs: number,
  ): Promise<Locator> {
    const widget = this.page.locator('.quick-input-widget');
    await widget.waitFor({ state: 'visible', timeout: timeoutMs });
    await widget.locator('.quick-input-box input').fill(text);
    // A list that is still filling (the process picker shows rows as it reads them) can show a
    // fuzzy match first: wait until it is no longer busy, as a user waits for the progress bar.
    await widget
      .locator('.quick-input-progress.active, .monaco-progress-container.active')
      .first()
      .waitFor({ state: 'hidden', timeout: timeoutMs * 2 })
      .catch(() => undefined);
    let rows = widget.locator('.quick-input-list .monaco-list-row');
    if (filter?.label !== undefined) {
      rows = rows.filter({ has: this.page.locator('.label-name', { hasText: filter.label }) });
    }
    if (filter?.description !== undefined) {
      rows = rows.filter({ has: this.page.locator('.label-description', { hasText: filter.description }) });
    }
    const row = rows.filter({ visible: true }).first();
    await row.waitFor({ state: 'visible', timeout: timeoutMs });
    return row;
  }

  /** Saves a full-page PNG as test-results/screenshots/NAME.png and returns its path. */
  async screenshot(name: string): Promise<string> {
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    const file = path.join(SCREENSHOT_DIR, `${name.replace(/[^\w.-]+/g, '_')}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }

  /** For an afterEach hook: a screenshot named after the test when it failed. */
  async screenshotIfFailed(context: Mocha.Context): Promise<void> {
    const test = context.currentTest;
    if (test?.state === 'failed') {
      await this.screenshot(`FAILED-${test.fullTitle()}`).catch(() => undefined);
    }
  }

  /**
   * What the extension host logged so far, for a failing test to tell what happened: our own log
   * (the "Proc Memory" output channel) and the host's lines about us (when we were activated).
   */
  extensionLogs(): string {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const entry of existsSync(dir) ? readdirSync(dir, { withFileTypes: true }) : []) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) {
          walk(full);
        } else if (entry.name === 'Proc Memory.log' || entry.name === 'remoteexthost.log') {
          files.push(full);
        }
      }
    };
    walk(path.join(this.server.userDataDir, 'logs'));
    const sections = files.map((file) => {
      const lines = readFileSync(file, 'utf8').split('\n');
      const ours = file.endsWith('remoteexthost.log')
        ? lines.filter((line) => /proc-memory|Eager extensions|Extension host with pid/.test(line))
        : lines;
      return `--- ${path.basename(file)}\n${ours.join('\n').trim() || '(nothing)'}`;
    });
    return sections.join('\n') || `(no extension host logs under ${this.server.userDataDir}/logs)`;
  }

  /** The inner documents of all webviews now on the page (panels and views). */
  webviewFrames(): Frame[] {
    return this.page.frames().filter((frame) => {
      const parent = frame.parentFrame();
      return (
        parent !== null &&
        /\/webview\/browser\/pre\/index\.html/.test(parent.url()) &&
        /\/pre\/fake\.html/.test(frame.url())
      );
    });
  }

  /**
   * Waits for a webview whose document satisfies `predicate` (see hasSelector, hasTitle) and
   * returns its frame; locators on it reach the extension's DOM directly.
   */
  async findWebviewFrame(predicate: (frame: Frame) => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (const frame of this.webviewFrames()) {
        try {
          if (!frame.isDetached() && (await predicate(frame))) {
            return frame;
          }
        } catch {
          // the frame navigated or went away while we looked: try the next round
        }
      }
      if (Date.now() > deadline) {
        throw new Error(
          `no webview frame matched within ${timeoutMs} ms (webview frames: ${
            this.webviewFrames()
              .map((f) => f.url())
              .join(', ') || 'none'
          })`,
        );
      }
      await sleep(250);
    }
  }

  /**
   * Hovers `target` (a selector on the page or a locator, also one inside a webview frame) and
   * returns the workbench hover that appears (status bar tooltips, editor hovers).
   */
  async hover(target: string | Locator, timeoutMs = 10_000): Promise<Locator> {
    const locator = typeof target === 'string' ? this.page.locator(target).first() : target;
    // Move away first so a hover already showing for the same target is shown anew.
    await this.page.mouse.move(0, 0);
    await locator.hover();
    const hover = this.page.locator('.workbench-hover, .monaco-hover:not(.hidden)').filter({ visible: true }).first();
    await hover.waitFor({ state: 'visible', timeout: timeoutMs });
    return hover;
  }

  /** Opens `file` of the workspace with Quick Open (Ctrl+P) and waits until its tab is the active one. */
  async openFile(file: string): Promise<void> {
    await this.page.keyboard.press('Control+P');
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible' });
    await input.fill(file);
    await this.page
      .locator('.quick-input-widget .monaco-list-row', { hasText: file })
      .first()
      .waitFor({ state: 'visible' });
    await this.page.keyboard.press('Enter');
    await this.page.locator(`.tab.active[aria-label^="${file}"]`).first().waitFor({ state: 'visible' });
  }

  /** Folds the side bar's sections with these titles (e.g. the debugger's Variables, Watch), for room. */
  async foldSideBarSections(titles: readonly string[]): Promise<void> {
    for (const title of titles) {
      const header = this.page.locator('.part.sidebar .pane-header[aria-expanded="true"]', {
        hasText: new RegExp(`^\\s*${title}`, 'i'),
      });
      if (await header.count()) {
        await header.first().click();
      }
    }
  }

  /** A status bar entry by the id VS Code gives it (`publisher.name.entryId`, or `status.*`). */
  statusBarItem(id: string): Locator {
    return this.page.locator(`.part.statusbar [id="${id}"]`);
  }

  /** A status bar entry whose visible text matches `text`. */
  statusBarItemWithText(text: string | RegExp): Locator {
    return this.page.locator('.part.statusbar .statusbar-item').filter({ hasText: text });
  }

  /** Console messages that report Content Security Policy violations (webviews included). */
  cspViolations(): CollectedConsoleMessage[] {
    return this.consoleMessages.filter((message) =>
      /Content Security Policy|violates the following/i.test(message.text),
    );
  }

  /**
   * Console errors, uncaught page errors and CSP violations of the page and all its frames, minus
   * VS Code's own (VSCODE_OWN_MESSAGES, each with its reason).
   */
  problems(): PageProblem[] {
    const all: PageProblem[] = [
      ...this.consoleMessages
        .filter(
          (message) => message.type === 'error' || /Content Security Policy|violates the following/i.test(message.text),
        )
        .map(
          (message): PageProblem => ({
            kind: /Content Security Policy|violates the following/i.test(message.text) ? 'csp' : 'console-error',
            text: message.text,
            url: message.url,
          }),
        ),
      ...this.pageErrors.map((error): PageProblem => ({ kind: 'page-error', text: error.text, url: error.url })),
    ];
    return all.filter(
      (problem) =>
        !VSCODE_OWN_MESSAGES.some((own) => own.pattern.test(problem.text) && (!own.url || own.url.test(problem.url))),
    );
  }

  /** Fails with every problem (see problems()) logged since the last call. */
  assertNoProblems(): void {
    const problems = this.problems();
    const fresh = problems.slice(this.problemsChecked);
    this.problemsChecked = problems.length;
    if (fresh.length) {
      throw new Error(
        `${fresh.length} console error(s), page error(s) or CSP violation(s):\n${fresh.map((problem) => `  ${problem.kind} ${problem.url}\n    ${problem.text.split('\n').slice(0, 4).join('\n    ')}`).join('\n')}`,
      );
    }
  }

  /**
   * Closes all editors (webview panels included) through the command palette, and waits until no
   * tab is left. On a busy machine the palette can fill too slowly for one attempt, or a panel
   * that is still opening can land after the command: then it is run again, within `timeoutMs`.
   */
  async closeAllEditors(timeoutMs = 60_000): Promise<void> {
    const tabs = this.page.locator('.editor-group-container .tab');
    const deadline = Date.now() + timeoutMs;
    for (let attempt = 1; ; attempt++) {
      const left = Math.max(5_000, deadline - Date.now());
      try {
        await this.runCommand('View: Close All Editors', Math.min(20_000, left));
        await tabs.first().waitFor({ state: 'detached', timeout: Math.min(10_000, left) });
        return;
      } catch (error) {
        if (Date.now() > deadline) {
          throw new Error(
            `editors still open after ${attempt} attempts of View: Close All Editors (${await tabs.count()} tabs): ${error instanceof Error ? error.message : error}`,
          );
        }
      }
    }
  }

  /**
   * Closes the browser, stops code-server and removes the folder it created; keeps the server's
   * logs (extension host included) in test-results/ui-logs/NAME when a name is given.
   */
  async close(logName?: string): Promise<void> {
    await this.session.close();
    await this.server.stop(
      logName
        ? { saveLogsTo: path.join(repoRoot, 'test-results', 'ui-logs', logName.replace(/[^\w.-]+/g, '_')) }
        : undefined,
    );
    if (this.ownFolder) {
      rmSync(this.folder, { recursive: true, force: true });
    }
  }
}

/**
 * The last test of a describe block: the page and its webviews logged no console error, uncaught
 * error or CSP violation during the block (VS Code's own messages aside, see VSCODE_OWN_MESSAGES).
 */
export function itLoggedNoProblems(workbench: () => Workbench | undefined): void {
  it('logged no console error, page error or CSP violation (webviews included)', () => {
    const current = workbench();
    if (!current) {
      throw new Error('no workbench: it did not open');
    }
    current.assertNoProblems();
  });
}

/** Shorthand for Workbench.open. */
export function openWorkbench(options?: WorkbenchOptions): Promise<Workbench> {
  return Workbench.open(options);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Waits until an attribute of the first element `locator` matches, polling from Node: webviews
 * forbid eval under their CSP, so string predicates cannot run inside them.
 */
export async function waitForAttribute(
  locator: Locator,
  name: string,
  accept: (value: string | null) => boolean,
  timeoutMs = 15_000,
): Promise<string | null> {
  const deadline = Date.now() + timeoutMs;
  let value: string | null = null;
  for (;;) {
    value = await locator
      .first()
      .getAttribute(name, { timeout: Math.max(1, deadline - Date.now()) })
      .catch(() => null);
    if (accept(value)) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${name} of ${locator} (last: ${value})`);
    }
    await sleep(100);
  }
}
