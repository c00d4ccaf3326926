// What the webview tests read from inside a page and send into it through the fake host
// (webview/dev/fakeHostApi.ts). The tests compile for Node, without the DOM library: the little of
// the DOM the functions below use, which run in the page (page.evaluate), is declared here.
import type { Page } from 'playwright-core';
import type { ProcessSnapshot } from '../../shared/model';
import type { CspViolation, FakeHostWindow, HostMessage } from '../../webview/dev/fakeHostApi';

interface PageElement {
  readonly textContent: string | null;
  readonly scrollWidth: number;
  readonly clientWidth: number;
  readonly parentElement: PageElement | null;
  readonly classList: { replace(token: string, by: string): boolean };
  getAttribute(name: string): string | null;
  getBoundingClientRect(): { left: number; right: number; width: number; height: number };
  getClientRects(): { length: number };
  closest(selector: string): PageElement | null;
}
interface PageDocument {
  readonly documentElement: PageElement;
  readonly body: PageElement;
  readonly activeElement: PageElement | null;
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): Iterable<PageElement> & { length: number; [index: number]: PageElement };
  getElementById(id: string): PageElement | null;
}
interface AxeResult {
  violations: { id: string; nodes: { target: string[] }[] }[];
}
declare const window: FakeHostWindow & {
  axe: { run(context: unknown, options: unknown): Promise<AxeResult> };
};
declare const document: PageDocument;
declare function getComputedStyle(element: PageElement): { backgroundColor: string; textOverflow: string };
declare function requestAnimationFrame(callback: () => void): void;

export function waitForDevReady(tab: Page): Promise<unknown> {
  return tab.waitForFunction(() => window.__devReady);
}

export function readCspViolations(tab: Page): Promise<CspViolation[]> {
  return tab.evaluate(() => window.__cspViolations);
}

/** Delivers a message as the host would; the view has handled it when this resolves. */
export async function hostPost(tab: Page, message: HostMessage): Promise<void> {
  await tab.evaluate((sent) => window.__hostPost(sent), message);
}

/** The fake host's realistic snapshot, with `overrides`, read now. */
export function fakeSnapshot(tab: Page, overrides: Partial<ProcessSnapshot> = {}): Promise<ProcessSnapshot> {
  return tab.evaluate((changes) => window.__snapshot(changes), overrides);
}

/** An inspect panel sample of the fake process with this RES. */
export async function postSample(tab: Page, resBytes: number): Promise<void> {
  await hostPost(tab, {
    type: 'sample',
    snapshot: await fakeSnapshot(tab, { resBytes }),
    timeMs: Date.now(),
    trendPerMinute: 0,
  });
}

/** Every message the page posted to the host, in order. */
export function posted(tab: Page): Promise<unknown[]> {
  return tab.evaluate(() => window.__posted);
}

export async function lastPosted(tab: Page): Promise<unknown> {
  return (await posted(tab)).at(-1);
}

export function savedState(tab: Page): Promise<unknown> {
  return tab.evaluate(() => window.__savedState());
}

/** Polls `condition` until it holds or `timeoutMs` passes; the assertion after it says what is wrong. */
export async function until(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await condition()) && Date.now() < end) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The text of an element, '' when it has none. */
export async function text(tab: Page, selector: string): Promise<string> {
  return (await tab.textContent(selector)) ?? '';
}

export async function numberAttribute(tab: Page, selector: string, name: string): Promise<number> {
  return Number(await tab.getAttribute(selector, name));
}

/** The colour of the chart legend's nth series marker. */
export function legendMarkerColour(tab: Page, index: number): Promise<string> {
  return tab.evaluate(
    (i) => getComputedStyle([...document.querySelectorAll('.u-legend .u-marker')][i]).backgroundColor,
    index,
  );
}

/** Switches the theme as VS Code does: the kind class on <body>. */
export async function switchBodyTheme(tab: Page, from: string, to: string): Promise<void> {
  await tab.evaluate(([a, b]) => document.body.classList.replace(a, b), [from, to]);
}

export function chartCanvasWidth(tab: Page): Promise<number> {
  return tab.evaluate(() => document.querySelector('.uplot canvas')?.clientWidth ?? 0);
}

/** The text of the element that the aria-describedby of `selector` names. */
export function describedBy(tab: Page, selector: string): Promise<string | undefined> {
  return tab.evaluate(
    (target) =>
      document.getElementById(document.querySelector(target)?.getAttribute('aria-describedby') ?? '')?.textContent ??
      undefined,
    selector,
  );
}

export function activeTestId(tab: Page): Promise<string | null | undefined> {
  return tab.evaluate(() => document.activeElement?.getAttribute('data-testid'));
}

/** Elements that only hostile data could have produced. */
export function injectedElements(tab: Page): Promise<number> {
  return tab.evaluate(
    () => document.querySelectorAll('#app img, #app script, #app svg[onload], [onerror], [onload]').length,
  );
}

/** Milliseconds from the fake host's last message to the second frame after it: the chart drawn. */
export function msSinceHostMessageDrawn(tab: Page): Promise<number> {
  return tab.evaluate(
    () =>
      new Promise<number>((resolve) =>
        requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now() - window.__sentAtMs))),
      ),
  );
}

/** After two frames: what the page shows has been painted (for screenshots). */
export async function painted(tab: Page): Promise<void> {
  await tab.evaluate(() => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
}

/**
 * The figure values of the tiles that are shown, and what cuts any of them: wider than its box
 * (scrollWidth > clientWidth), cut by text-overflow, outside its tile, or a tile outside the page.
 */
export function clippedTileValues(tab: Page): Promise<{ values: number; problems: string[] }> {
  return tab.evaluate(() => {
    const values = [...document.querySelectorAll('.tile [data-testid=figure-value]')].filter(
      (value) => value.getClientRects().length > 0,
    );
    const pageWidth = document.documentElement.clientWidth;
    const problems: string[] = [];
    for (const value of values) {
      const tile = value.closest('.tile');
      if (!tile) {
        problems.push(`"${value.textContent}": not in a tile`);
        continue;
      }
      const style = getComputedStyle(value);
      const box = value.getBoundingClientRect();
      const tileBox = tile.getBoundingClientRect();
      const name = `${tile.getAttribute('data-figure')} "${value.textContent}"`;
      if (value.scrollWidth > value.clientWidth) {
        problems.push(`${name}: scrollWidth ${value.scrollWidth} > clientWidth ${value.clientWidth}`);
      }
      if (style.textOverflow !== 'clip') {
        problems.push(`${name}: text-overflow ${style.textOverflow}`);
      }
      if (tile.scrollWidth > tile.clientWidth) {
        problems.push(`${name}: its tile overflows`);
      }
      if (box.left < tileBox.left - 0.5 || box.right > tileBox.right + 0.5) {
        problems.push(`${name}: outside its tile`);
      }
      if (tileBox.right > pageWidth + 0.5) {
        problems.push(`${name}: tile outside the page`);
      }
    }
    if (document.documentElement.scrollWidth > pageWidth) {
      problems.push(`the page scrolls sideways (${document.documentElement.scrollWidth} > ${pageWidth})`);
    }
    return { values: values.length, problems };
  });
}

/**
 * axe-core's WCAG 2.0 and 2.1 A and AA rules on the page: each violation as `rule: targets`.
 * axe is added through the debugger protocol: the page's CSP allows no inline script.
 */
export async function axeViolations(tab: Page, axeSource: string): Promise<string[]> {
  await tab.evaluate(axeSource);
  return tab.evaluate(async () => {
    const result = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return result.violations.map(
      (violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`,
    );
  });
}
