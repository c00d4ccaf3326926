/**
 * The soak's view of the webviews, from the browser that drives the workbench: every minute, each
 * webview's DOM element count (all of it, and outside the stops list, which grows by design up to
 * MAX_STOPS), and the renderer's JS heap and DOM counters after a forced garbage collection.
 *
 * code-server serves webviews from the workbench's own origin, so they run in the workbench's
 * renderer process and share its V8 heap: the heap and the renderer's node and listener counts
 * (detached nodes included, which a leak keeps and no document shows) are one figure for the
 * workbench and all its webviews; only the element counts are per webview.
 */
import * as path from 'node:path';
import type { CDPSession, Frame, Page } from 'playwright-core';
import { repoRoot } from './codeServer';
import { MiB } from '../../shared/units';

/** The renderer's JS heap may move this much once the history is full (V8 breathes). */
const HEAP_MARGIN_BYTES = 24 * 1024 * 1024;
/** Elements of a webview (outside its stops list) may move this much: rows and notes come and go. */
const NODES_MARGIN = 150;

interface WebviewReading {
  /** The webview's document title (the panel's, or "Process Memory"). */
  title: string;
  elements: number;
  /** Elements outside the stops list and the baseline choices: what must stay flat. */
  outsideStops: number;
  stops: number;
  /** Nodes (text included, as the renderer counts them) of the stop rows and the baseline choices. */
  stopNodes: number;
}

interface MinuteReading {
  minute: number;
  webviews: Map<string, WebviewReading>;
  heapBytes: number;
  /** Memory.getDOMCounters of the renderer, after GC. */
  nodes: number;
  listeners: number;
}

export class WebviewMemoryMonitor {
  private readonly minutes: MinuteReading[] = [];
  private timer: NodeJS.Timeout | undefined;
  private session: CDPSession | undefined;
  private busy: Promise<void> = Promise.resolve();
  private readonly reportedEmpty = new Set<string>();
  failed = false;

  /** `fullAfterMinute`: the minute after which the history buffers are full (the host's rule). */
  constructor(
    private readonly page: Page,
    private readonly fullAfterMinute: number,
    private readonly write: (line: string) => void,
  ) {}

  start(): void {
    let minute = 0;
    this.timer = setInterval(() => {
      minute++;
      this.busy = this.busy.then(() => this.read(minute)).catch((error) => this.write(`[soak] webviews: ${error}`));
    }, 60_000);
  }

  /** Stops reading and judges: after the buffers are full, nothing may keep growing. */
  async stop(): Promise<void> {
    if (this.timer) {
      clearInterval(this.timer);
    }
    await this.busy;
    this.judge();
  }

  private async read(minute: number): Promise<void> {
    // What was on screen, for whoever reads the numbers.
    await this.page
      .screenshot({ path: path.join(repoRoot, 'test-results', 'soak-workbench.png') })
      .catch(() => undefined);
    this.session ??= await this.page.context().newCDPSession(this.page);
    await this.session.send('HeapProfiler.collectGarbage');
    const heap = await this.session.send('Runtime.getHeapUsage');
    const counters = await this.session.send('Memory.getDOMCounters');
    const webviews = new Map<string, WebviewReading>();
    for (const frame of webviewFrames(this.page)) {
      const id = new URL(frame.parentFrame()!.url()).searchParams.get('id') ?? frame.url();
      const reading = await frame
        .locator('html')
        .evaluate(
          (html) => {
            const all = html.getElementsByTagName('*').length;
            const stops = html.querySelectorAll('[data-testid=stop]').length;
            const stopSelector = '[data-testid=stop], [data-testid=baseline] option';
            const inStops = html.querySelectorAll(`${stopSelector}, [data-testid=stop] *`).length;
            let stopNodes = 0;
            for (const row of html.querySelectorAll(stopSelector)) {
              const walker = html.ownerDocument.createTreeWalker(row);
              for (stopNodes++; walker.nextNode(); ) {
                stopNodes++;
              }
            }
            return { title: html.ownerDocument.title, elements: all, outsideStops: all - inStops, stops, stopNodes };
          },
          undefined,
          { timeout: 10_000 },
        )
        .catch(() => undefined);
      if (reading) {
        webviews.set(id, reading);
      }
      if (reading && reading.elements < 50 && !this.reportedEmpty.has(id)) {
        // A webview that never drew its page (seen once: a panel stayed so for 5 minutes): say what it holds.
        this.reportedEmpty.add(id);
        const html = await frame
          .locator('html')
          .evaluate((element) => element.outerHTML.replace(/\s+/g, ' ').slice(0, 600))
          .catch((error) => String(error));
        this.write(`[soak] webview "${reading.title}" has ${reading.elements} elements: ${html}`);
      }
    }
    const entry = {
      minute,
      webviews,
      heapBytes: heap.usedSize,
      nodes: counters.nodes,
      listeners: counters.jsEventListeners,
    };
    this.minutes.push(entry);
    const each = [...webviews.values()]
      .map((view) => `"${view.title}" ${view.elements} elements (${view.outsideStops} outside ${view.stops} stops)`)
      .join(', ');
    this.write(
      `[soak] webviews minute ${minute}: renderer JS heap ${(entry.heapBytes / MiB).toFixed(1)} MiB after GC (workbench and webviews share it), DOM nodes ${entry.nodes}, JS listeners ${entry.listeners}; ${webviews.size} webviews: ${each}`,
    );
  }

  private judge(): void {
    const full = this.minutes.filter((entry) => entry.minute > this.fullAfterMinute);
    if (full.length < 2) {
      this.write(`[soak] webviews: too short to judge drift (the buffers fill after minute ${this.fullAfterMinute})`);
      return;
    }
    const first = full[0];
    const last = full[full.length - 1];
    const stopsGrowth = sum(last, (view) => view.stops) - sum(first, (view) => view.stops);
    // The stops list grows by design (up to MAX_STOPS): its own nodes, counted in the pages, are allowed.
    const stopNodesGrowth = sum(last, (view) => view.stopNodes) - sum(first, (view) => view.stopNodes);
    const problems: string[] = [];
    const heapDrift = last.heapBytes - first.heapBytes;
    if (heapDrift > HEAP_MARGIN_BYTES) {
      problems.push(`renderer JS heap +${(heapDrift / MiB).toFixed(1)} MiB`);
    }
    const nodesDrift = last.nodes - first.nodes;
    if (nodesDrift - Math.max(0, stopNodesGrowth) > NODES_MARGIN) {
      problems.push(
        `renderer DOM nodes +${nodesDrift} with ${stopsGrowth} more stops (+${stopNodesGrowth} nodes in them)`,
      );
    }
    const listenersDrift = last.listeners - first.listeners;
    if (listenersDrift > NODES_MARGIN) {
      problems.push(`JS listeners +${listenersDrift}`);
    }
    for (const [id, view] of last.webviews) {
      const before = first.webviews.get(id);
      if (before && view.outsideStops - before.outsideStops > NODES_MARGIN) {
        problems.push(`"${view.title}" +${view.outsideStops - before.outsideStops} elements outside its stops`);
      }
    }
    this.write(
      `[soak] webviews after the buffers filled (minute ${first.minute} to ${last.minute}): renderer JS heap ${signed(heapDrift / MiB, 1)} MiB, DOM nodes ${signed(nodesDrift)} (${signed(stopNodesGrowth)} in ${signed(stopsGrowth)} stops), JS listeners ${signed(listenersDrift)}; ${[
        ...last.webviews,
      ]
        .map(([id, view]) => {
          const before = first.webviews.get(id);
          return `"${view.title}" ${before ? signed(view.outsideStops - before.outsideStops) : 'new'} elements outside its stops`;
        })
        .join(', ')}`,
    );
    if (problems.length > 0) {
      this.failed = true;
      this.write(`[soak] FAIL: the webviews kept growing after the buffers were full: ${problems.join('; ')}`);
    }
  }
}

/** The content frames of the workbench's webviews (each inside VS Code's own host frame). */
function webviewFrames(page: Page): Frame[] {
  return page.frames().filter((frame) => {
    const parent = frame.parentFrame();
    return (
      parent !== null &&
      /\/webview\/browser\/pre\/index\.html/.test(parent.url()) &&
      /\/pre\/fake\.html/.test(frame.url())
    );
  });
}

function sum(entry: MinuteReading, pick: (view: WebviewReading) => number): number {
  return [...entry.webviews.values()].reduce((total, view) => total + pick(view), 0);
}

function signed(value: number, digits = 0): string {
  return `${value >= 0 ? '+' : ''}${value.toFixed(digits)}`;
}
