// The line tips Proc Memory draws in the editor (the stop tip, the allocation tips), read and
// hovered as a user sees them. VS Code draws a decoration's `after` text as a CSS ::after of a span
// at the end of the line, so the text is read from the computed style.
import type { Locator, Page } from 'playwright-core';

export interface EditorTip {
  /** The line's own text. */
  line: string;
  /** The tip's text. */
  tip: string;
  /** The tip's box, in page coordinates. */
  left: number;
  right: number;
  y: number;
}

/** The tips containing `marker` (e.g. `RES`, `allocated`) in the editor group whose active tab is `file`. */
export async function tipsIn(page: Page, file: string, marker: string): Promise<EditorTip[]> {
  // A string, not a function: the tests compile without the DOM's types.
  return page.evaluate(`(() => {
    const file = ${JSON.stringify(file)};
    const marker = ${JSON.stringify(marker)};
    const group = [...document.querySelectorAll('.editor-group-container')].find((candidate) =>
      [...candidate.querySelectorAll('.tab.active')].some((tab) => (tab.getAttribute('aria-label') || '').startsWith(file)));
    if (!group) return [];
    const tips = [];
    for (const line of group.querySelectorAll('.view-line')) {
      for (const span of line.querySelectorAll('span')) {
        const content = getComputedStyle(span, '::after').content;
        if (content && content !== 'none' && content.includes(marker)) {
          const box = span.getBoundingClientRect();
          tips.push({ line: line.textContent.replace(/\u00a0/g, ' '), tip: JSON.parse(content), left: box.left, right: box.right, y: box.top + box.height / 2 });
        }
      }
    }
    return tips;
  })()`);
}

/** Waits until the tips in `file` satisfy `accept`; returns them. */
export async function waitForTips(
  page: Page,
  file: string,
  marker: string,
  accept: (tips: EditorTip[]) => boolean,
  timeoutMs = 30_000,
): Promise<EditorTip[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const tips = await tipsIn(page, file, marker);
    if (accept(tips)) {
      return tips;
    }
    if (Date.now() > deadline) {
      throw new Error(`tips with "${marker}" in ${file}: ${JSON.stringify(tips)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * Rests the pointer at (x, y) until the editor's hover containing `hasText` opens; returns it.
 * The editor opens a hover once the pointer rests on the text, and a single jump onto a tip's
 * injected text is sometimes not taken as a rest (seen on a loaded machine), so the pointer comes
 * in again, in steps, up to four times.
 */
export async function hoverAt(page: Page, x: number, y: number, hasText: string): Promise<Locator> {
  const hover = page.locator('.monaco-hover:not(.hidden)').filter({ visible: true, hasText }).first();
  for (let attempt = 1; ; attempt++) {
    await page.mouse.move(0, 0);
    await page.mouse.move(x, y, { steps: 8 });
    try {
      await hover.waitFor({ state: 'visible', timeout: 4_000 });
      return hover;
    } catch (error) {
      if (attempt === 4) {
        throw error;
      }
    }
  }
}
