#!/usr/bin/env node
// Dev harness for the webviews (not shipped, not a test). Builds the bundles and the fake host,
// serves them on 127.0.0.1 under the same CSP the extension host sends, and then either
//   node webview/dev/run.mjs serve     keeps serving; open the printed URLs in a browser
//   node webview/dev/run.mjs [shots]   drives /usr/bin/chromium (playwright-core): screenshots of
//                                      every scenario in dark, light and high contrast to
//                                      test-results/screenshots/dev-*.png, and a report of console
//                                      messages, CSP violations (with the bundle code that caused
//                                      them), dialogs and posted messages to dev-report.json.
// Exits non-zero when a page throws, logs a console error, violates its CSP, opens a dialog
// (hostile name executed) or renders an element from process data: each page is one check,
// `ok   page NAME: ...` or `FAIL page NAME: ...`. Nothing is allowlisted: the fake host is ours,
// and no VS Code runs here.
// Functions passed to page.evaluate / waitForFunction run in the page:
/* global window, document, getComputedStyle, requestAnimationFrame, performance */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const out = join(repo, 'test-results');
const shotsDir = join(out, 'screenshots');
const devBuild = join(out, 'dev-build');
const mode = process.argv[2] ?? 'shots';

// ---- build ------------------------------------------------------------------------------------

function build() {
  const result = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: repo, stdio: 'inherit' });
  if (result.status !== 0) {
    throw new Error('node esbuild.mjs failed');
  }
  esbuild.buildSync({
    entryPoints: [join(repo, 'webview', 'dev', 'fakeHost.ts')],
    outfile: join(devBuild, 'fakeHost.js'),
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    logLevel: 'warning',
  });
  esbuild.buildSync({
    entryPoints: [join(repo, 'shared', 'webviewPage.ts')],
    outfile: join(devBuild, 'webviewPage.cjs'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    logLevel: 'warning',
  });
  webviewPage = createRequire(import.meta.url)(join(devBuild, 'webviewPage.cjs')).webviewPage;
}

/** Loaded from shared/webviewPage.ts by build(). */
let webviewPage;

// ---- server -----------------------------------------------------------------------------------

/** The page shared/webviewPage.ts makes for the extension host, with the dev theme styles and the fake host added. */
function page(origin, bundle) {
  return webviewPage({
    cspSource: origin,
    nonce: randomBytes(16).toString('base64'),
    title: `${bundle} (dev)`,
    styles: [
      `${origin}/webview/dev/vscode-defaults.css`,
      `${origin}/webview/dev/themes.css`,
      `${origin}/media/webview.css`,
      `${origin}/dist/webview/${bundle}.css`,
    ],
    scripts: [`${origin}/dev-build/fakeHost.js`, `${origin}/dist/webview/${bundle}.js`],
  });
}

const TYPES = {
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.map': 'application/json',
  '.html': 'text/html',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};
const STATIC = {
  '/dist/webview/': join(repo, 'dist', 'webview'),
  '/media/': join(repo, 'media'),
  '/webview/dev/': join(repo, 'webview', 'dev'),
  '/dev-build/': devBuild,
};

function serve() {
  return new Promise((resolveServer) => {
    const server = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      const origin = `http://127.0.0.1:${server.address().port}`;
      if (url.pathname === '/favicon.ico') {
        // Chromium asks every new origin for one; a webview has none. Answered, so a 404 of the
        // harness's own server does not read as a console error of our page.
        response.writeHead(204).end();
        return;
      }
      const bundle = /^\/(inspect|debugView|recording|compare)\.html$/.exec(url.pathname)?.[1];
      if (bundle) {
        response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
        response.end(page(origin, bundle));
        return;
      }
      for (const [prefix, dir] of Object.entries(STATIC)) {
        if (url.pathname.startsWith(prefix)) {
          const file = resolve(dir, decodeURIComponent(url.pathname.slice(prefix.length)));
          if (file.startsWith(dir + sep) && existsSync(file) && statSync(file).isFile()) {
            response.writeHead(200, {
              'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
              'cache-control': 'no-store',
            });
            response.end(readFileSync(file));
            return;
          }
        }
      }
      response.writeHead(404).end();
    });
    server.listen(0, '127.0.0.1', () => resolveServer(server));
  });
}

// ---- CSP attribution ----------------------------------------------------------------------------

/** The bundle code at a violation's line and column, and the module esbuild says it came from. */
function locate(sourceFile, line, column) {
  const match = /\/dist\/webview\/([\w.]+\.js)/.exec(sourceFile ?? '');
  if (!match || !line) {
    return undefined;
  }
  const lines = readFileSync(join(repo, 'dist', 'webview', match[1]), 'utf8').split('\n');
  let module = '?';
  for (let i = line - 1; i >= 0; i--) {
    const comment = /^\s*\/\/ (node_modules\/\S+|webview\/\S+|src\/\S+)$/.exec(lines[i]);
    if (comment) {
      module = comment[1];
      break;
    }
  }
  const text = lines[line - 1] ?? '';
  return { module, code: text.slice(Math.max(0, column - 80), column + 80).trim() };
}

// ---- page problems --------------------------------------------------------------------------------

/** Every page opened, with its console errors, uncaught errors and CSP violations. */
const watchedPages = [];

/** Collects what would make a page fail: console errors, uncaught errors, CSP violations (from the console and from securitypolicyviolation events). */
function watchPage(tab, name) {
  const watched = { name, problems: [] };
  watchedPages.push(watched);
  tab.on('console', (message) => {
    if (message.type() === 'error' || /Content Security Policy/i.test(message.text())) {
      watched.problems.push(
        `console ${message.type()}: ${message.text()}${message.location().url ? ` (${message.location().url})` : ''}`,
      );
    }
  });
  tab.on('pageerror', (error) => watched.problems.push(`uncaught ${String(error)}`));
  // Violations the page saw but Chromium did not log (report-only, or the console not yet attached).
  const close = tab.close.bind(tab);
  tab.close = async (...args) => {
    await readViolations(tab, watched);
    return close(...args);
  };
  return watched;
}

async function readViolations(tab, watched) {
  const violations = await tab.evaluate(() => window.__cspViolations ?? []).catch(() => []);
  for (const violation of violations) {
    const at = locate(violation.sourceFile, violation.line, violation.column);
    const text = `csp ${violation.directive} at ${at?.module ?? violation.sourceFile}:${violation.line}:${violation.column} ${at?.code ?? ''}`;
    if (!watched.problems.includes(text)) {
      watched.problems.push(text);
    }
  }
}

/** One check per page: `ok   page NAME` or `FAIL page NAME (problems)`. */
function reportPages() {
  let ok = true;
  for (const watched of watchedPages) {
    const clean = watched.problems.length === 0;
    ok &&= clean;
    console.log(
      `${clean ? 'ok  ' : 'FAIL'} page ${watched.name}: no console error, page error or CSP violation${clean ? '' : `\n    ${watched.problems.join('\n    ')}`}`,
    );
  }
  return ok;
}

// ---- screenshots ----------------------------------------------------------------------------------

const SHOTS = [
  {
    name: 'inspect-live',
    view: 'inspect',
    scenario: 'live',
    themes: ['dark', 'light', 'hc'],
    width: 1100,
    height: 1000,
  },
  { name: 'inspect-narrow', view: 'inspect', scenario: 'live', themes: ['dark'], width: 460, height: 1400 },
  { name: 'inspect-200px', view: 'inspect', scenario: 'live', themes: ['dark', 'light'], width: 200, height: 1600 },
  {
    name: 'inspect-many-mappings',
    view: 'inspect',
    scenario: 'many-mappings',
    themes: ['dark'],
    width: 1100,
    height: 1000,
  },
  { name: 'inspect-hostile', view: 'inspect', scenario: 'hostile', themes: ['dark'], width: 1100, height: 1000 },
  { name: 'inspect-ended', view: 'inspect', scenario: 'ended', themes: ['dark', 'light'], width: 1100, height: 1000 },
  {
    name: 'inspect-unavailable',
    view: 'inspect',
    scenario: 'unavailable',
    themes: ['dark'],
    width: 1100,
    height: 1000,
  },
  {
    name: 'inspect-kernel-thread',
    view: 'inspect',
    scenario: 'kernel-thread',
    themes: ['dark'],
    width: 900,
    height: 420,
  },
  { name: 'inspect-zombie', view: 'inspect', scenario: 'zombie', themes: ['light'], width: 900, height: 420 },
  { name: 'inspect-waiting', view: 'inspect', scenario: 'waiting', themes: ['dark'], width: 900, height: 300 },
  {
    name: 'inspect-tooltip',
    view: 'inspect',
    scenario: 'live',
    themes: ['dark', 'hc'],
    width: 1100,
    height: 700,
    action: 'hover-res',
  },
  {
    name: 'inspect-focus',
    view: 'inspect',
    scenario: 'live',
    themes: ['light'],
    width: 1100,
    height: 1000,
    action: 'focus-cgroup',
  },
  {
    name: 'inspect-chart-hover',
    view: 'inspect',
    scenario: 'live',
    themes: ['dark'],
    width: 1100,
    height: 800,
    action: 'hover-chart',
  },
  {
    name: 'inspect-mapping-tooltip',
    view: 'inspect',
    scenario: 'live',
    themes: ['dark', 'light', 'hc'],
    width: 1100,
    height: 700,
    action: 'hover-mapping',
  },
  {
    name: 'inspect-oom-section',
    view: 'inspect',
    scenario: 'live',
    themes: ['dark', 'light', 'hc'],
    width: 1100,
    height: 700,
    action: 'oom-section',
  },
  {
    name: 'inspect-oom-unavailable',
    view: 'inspect',
    scenario: 'unavailable',
    themes: ['dark'],
    width: 1100,
    height: 700,
    action: 'oom-section',
  },
  {
    name: 'inspect-working-set-tooltip',
    view: 'inspect',
    scenario: 'live',
    themes: ['dark'],
    width: 1100,
    height: 700,
    action: 'hover-working-set',
  },
  {
    name: 'inspect-oom-killed',
    view: 'inspect',
    scenario: 'oom-killed',
    themes: ['dark', 'light'],
    width: 1100,
    height: 1000,
  },
  {
    name: 'inspect-oom-narrow',
    view: 'inspect',
    scenario: 'live',
    themes: ['dark'],
    width: 460,
    height: 900,
    action: 'oom-section',
  },
  {
    name: 'inspect-paused',
    view: 'inspect',
    scenario: 'live',
    themes: ['dark'],
    width: 1100,
    height: 800,
    action: 'pause',
  },
  {
    name: 'debug-sessions',
    view: 'debugView',
    scenario: 'sessions',
    themes: ['dark', 'light', 'hc'],
    width: 300,
    height: 1100,
  },
  { name: 'debug-idle', view: 'debugView', scenario: 'idle', themes: ['dark'], width: 300, height: 200 },
  {
    name: 'debug-tooltip',
    view: 'debugView',
    scenario: 'sessions',
    themes: ['dark'],
    width: 300,
    height: 500,
    action: 'hover-res',
  },
  { name: 'debug-wide', view: 'debugView', scenario: 'sessions', themes: ['light'], width: 520, height: 1000 },
  { name: 'debug-narrow', view: 'debugView', scenario: 'sessions', themes: ['dark'], width: 210, height: 900 },
  { name: 'debug-stops', view: 'debugView', scenario: 'sessions', themes: ['dark', 'light'], width: 320, height: 1400 },
  {
    name: 'debug-terminals',
    view: 'debugView',
    scenario: 'terminals',
    themes: ['dark', 'light'],
    width: 300,
    height: 560,
  },
  { name: 'recording', view: 'recording', scenario: 'recording', themes: ['dark', 'light'], width: 1100, height: 900 },
  { name: 'recording-invalid', view: 'recording', scenario: 'invalid', themes: ['dark'], width: 900, height: 300 },
  { name: 'compare', view: 'compare', scenario: 'compare', themes: ['dark', 'light'], width: 1100, height: 1000 },
];

async function act(pageHandle, action) {
  switch (action) {
    case 'hover-res':
      await pageHandle.hover('[data-testid=label-res] >> nth=0');
      break;
    case 'focus-cgroup':
      await pageHandle.focus('[data-testid=label-cgroup]');
      break;
    case 'hover-chart': {
      const box = await pageHandle.locator('.chart-plot .u-over').boundingBox();
      await pageHandle.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.5);
      break;
    }
    case 'pause':
      await pageHandle.click('[data-testid=pause]');
      break;
    case 'oom-section':
      await pageHandle
        .locator('[data-testid=out-of-memory]')
        .evaluate((element) => element.scrollIntoView({ block: 'start' }));
      break;
    case 'hover-working-set':
      await pageHandle
        .locator('[data-testid=out-of-memory]')
        .evaluate((element) => element.scrollIntoView({ block: 'start' }));
      await pageHandle.hover('[data-testid=label-workingSet]');
      break;
    case 'hover-mapping':
      await pageHandle.locator('[data-testid=mappings]').scrollIntoViewIfNeeded();
      await pageHandle.hover('[data-testid=label-mapping-libraries]');
      break;
  }
  await pageHandle.waitForTimeout(250);
}

async function shots(origin) {
  const { chromium } = await import('playwright-core');
  mkdirSync(shotsDir, { recursive: true });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    // The flags the tests' browser uses (test/host/browser.ts).
    args: JSON.parse(readFileSync(join(repo, 'test', 'host', 'chromiumFlags.json'), 'utf8')),
  });
  const report = [];
  let failed = false;
  try {
    for (const shot of SHOTS) {
      for (const theme of shot.themes) {
        const context = await browser.newContext({
          viewport: { width: shot.width, height: shot.height },
          deviceScaleFactor: 1,
        });
        const tab = await context.newPage();
        const entry = { shot: `dev-${shot.name}-${theme}.png`, console: [], errors: [], dialogs: [] };
        const watched = watchPage(tab, `shot ${shot.name}-${theme}`);
        tab.on('console', (message) => entry.console.push(`${message.type()}: ${message.text()}`));
        tab.on('pageerror', (error) => entry.errors.push(String(error)));
        tab.on('dialog', async (dialog) => {
          entry.dialogs.push(dialog.message());
          await dialog.dismiss();
        });
        await tab.goto(`${origin}/${shot.view}.html?view=${shot.view}&scenario=${shot.scenario}&theme=${theme}`);
        await tab.waitForFunction(() => window.__devReady === true);
        await tab.waitForTimeout(200);
        if (shot.action) {
          await act(tab, shot.action);
        }
        const details = await tab.evaluate(() => ({
          violations: window.__cspViolations,
          posted: window.__posted,
          // Elements that only hostile data could have produced.
          injected: document.querySelectorAll('#app img, #app script, #app svg[onload], [onerror], [onload]').length,
          title: document.title,
        }));
        entry.violations = details.violations.map((violation) => ({
          ...violation,
          at: locate(violation.sourceFile, violation.line, violation.column),
        }));
        await readViolations(tab, watched);
        entry.posted = details.posted;
        entry.injected = details.injected;
        // Full-page capture can resize the page, which moves an open tooltip: keep the viewport for interactions.
        await tab.screenshot({ path: join(shotsDir, entry.shot), fullPage: !shot.action });
        if (entry.errors.length || entry.dialogs.length || entry.injected) {
          failed = true;
        }
        report.push(entry);
        await context.close();
      }
    }
    if (!(await checks(browser, origin))) {
      failed = true;
    }
    if (!reportPages()) {
      failed = true;
    }
  } finally {
    await browser.close();
  }
  writeFileSync(join(shotsDir, 'dev-report.json'), JSON.stringify(report, null, 2));
  const unique = new Map();
  for (const entry of report) {
    for (const violation of entry.violations) {
      const key = `${violation.directive} ${violation.at?.module} ${violation.at?.code}`;
      unique.set(key, { ...(unique.get(key) ?? violation), count: (unique.get(key)?.count ?? 0) + 1 });
    }
  }
  console.log(`${report.length} screenshots in ${shotsDir}`);
  console.log(`CSP violations (distinct): ${unique.size}`);
  for (const violation of unique.values()) {
    console.log(
      `- ${violation.directive} x${violation.count} pages: ${violation.at?.module ?? violation.sourceFile}:${violation.line}:${violation.column}\n    ${violation.at?.code ?? ''}\n    sample: ${violation.sample}`,
    );
  }
  for (const entry of report) {
    const problems = [
      ...entry.errors.map((e) => `error ${e}`),
      ...entry.dialogs.map((d) => `dialog ${d}`),
      ...(entry.injected ? [`${entry.injected} injected elements`] : []),
      ...entry.console.filter((c) => c.startsWith('error') || c.startsWith('warning')),
    ];
    if (problems.length) {
      console.log(`${entry.shot}:\n  ${problems.join('\n  ')}`);
    }
  }
  return failed ? 1 : 0;
}

// ---- behaviour checks ---------------------------------------------------------------------------

/**
 * The figure values of the tiles that are shown, and what cuts any of them: wider than its box
 * (scrollWidth > clientWidth), cut by text-overflow, outside its tile, or a tile outside the page.
 */
async function clippedTileValues(tab) {
  return tab.evaluate(() => {
    const values = [...document.querySelectorAll('.tile [data-testid=figure-value]')].filter(
      (value) => value.getClientRects().length > 0,
    );
    const pageWidth = document.documentElement.clientWidth;
    const problems = [];
    for (const value of values) {
      const tile = value.closest('.tile');
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

/** Quick checks of what the screenshots cannot show; the real UI tests live under test/. */
async function checks(browser, origin) {
  const results = [];
  const check = (name, ok, detail = '') => results.push({ name, ok: Boolean(ok), detail });
  const newTab = async (name) => {
    const tab = await browser.newPage({ viewport: { width: 1000, height: 900 } });
    watchPage(tab, `check ${name}`);
    return tab;
  };
  const open = async (view, scenario, theme = 'dark') => {
    const tab = await newTab(`${view} ${scenario} ${theme}`);
    await tab.goto(`${origin}/${view}.html?view=${view}&scenario=${scenario}&theme=${theme}`);
    await tab.waitForFunction(() => window.__devReady === true);
    return tab;
  };
  const posted = (tab) => tab.evaluate(() => window.__posted);
  const points = (tab) => tab.getAttribute('[data-testid=chart]', 'data-points').then(Number);
  const sample = (tab, res) =>
    tab.evaluate(
      (bytes) =>
        window.__hostPost({
          type: 'sample',
          snapshot: window.__snapshot({ resBytes: bytes }),
          timeMs: Date.now(),
          trendPerMinute: 0,
        }),
      res,
    );

  let tab = await open('inspect', 'live');
  check('inspect posts ready first', (await posted(tab))[0]?.type === 'ready');
  check('init history drawn (3600 points)', (await points(tab)) === 3600, String(await points(tab)));
  check(
    'RES tile shows formatBytes text',
    /MiB$/.test(await tab.textContent('[data-figure=res] [data-testid=figure-value]')),
  );
  check(
    'state keeps the process for restore',
    (await tab.evaluate(() => window.__savedState()))?.process?.pid === 48213,
  );
  for (const [id, message] of [
    ['export-csv', { type: 'export', format: 'csv' }],
    ['export-json', { type: 'export', format: 'json' }],
    ['copy-snapshot', { type: 'copySnapshot' }],
  ]) {
    await tab.click(`[data-testid=${id}]`);
    check(
      `${id} posts ${JSON.stringify(message)}`,
      JSON.stringify((await posted(tab)).at(-1)) === JSON.stringify(message),
    );
  }
  await tab.click('[data-testid=pause]');
  check('pause saved in state', (await tab.evaluate(() => window.__savedState()))?.paused === true);
  for (let i = 0; i < 3; i++) {
    await sample(tab, 500 * 2 ** 20);
  }
  await tab.waitForTimeout(50);
  check('paused: chart not updated', (await points(tab)) === 3600, String(await points(tab)));
  check(
    'paused: figures still update',
    (await tab.textContent('[data-figure=res] [data-testid=figure-value]')) === '500.0 MiB',
  );
  await tab.click('[data-testid=pause]');
  check('resume draws the samples that came meanwhile', (await points(tab)) === 3603, String(await points(tab)));
  const markerBefore = await tab.evaluate(
    () => getComputedStyle(document.querySelectorAll('.u-legend .u-marker')[1]).backgroundColor,
  );
  await tab.evaluate(() => document.body.classList.replace('vscode-dark', 'vscode-light'));
  await tab.waitForTimeout(200);
  const markerAfter = await tab.evaluate(
    () => getComputedStyle(document.querySelectorAll('.u-legend .u-marker')[1]).backgroundColor,
  );
  check(
    'theme change re-reads chart colours',
    markerBefore === 'rgb(55, 148, 255)' && markerAfter === 'rgb(26, 133, 255)',
    `${markerBefore} -> ${markerAfter}`,
  );
  check('theme change keeps one chart', (await tab.locator('.uplot').count()) === 1);
  await tab.focus('[data-testid=label-pss]');
  check('label focus opens its tooltip', await tab.isVisible('[data-testid=tooltip-pss]'));
  const description = await tab.evaluate(
    () =>
      document.getElementById(document.querySelector('[data-testid=label-pss]').getAttribute('aria-describedby'))
        ?.textContent,
  );
  check(
    'aria-describedby points at the MEMORY_DOCS summary',
    description?.startsWith('RES with each shared page divided'),
    description,
  );
  await tab.keyboard.press('Escape');
  check('Escape closes the tooltip', !(await tab.isVisible('[data-testid=tooltip-pss]')));
  await tab.evaluate(() =>
    window.__hostPost({ type: 'ended', ended: { atMs: Date.now(), message: 'The process exited.' } }),
  );
  await tab.waitForTimeout(50);
  await sample(tab, 900 * 2 ** 20);
  await tab.waitForTimeout(50);
  check('exit banner shown', await tab.isVisible('#exit-banner'));
  check('no Pause after the exit', !(await tab.isVisible('[data-testid=pause]')));
  check(
    'figures frozen after ended',
    (await tab.textContent('[data-figure=res] [data-testid=figure-value]')) === '500.0 MiB',
  );
  await tab.click('[data-testid=export-csv]');
  check('export still works after ended', (await posted(tab)).at(-1)?.type === 'export');
  await tab.evaluate(() => window.__hostPost({ type: 'problem', message: 'EACCES' }));
  await tab.waitForTimeout(50);
  check('problem banner shown', (await tab.textContent('#problem-banner')).includes('EACCES'));
  await tab.close();

  tab = await newTab('inspect restored paused state');
  await tab.goto(
    `${origin}/inspect.html?view=inspect&scenario=live&theme=dark&state=${encodeURIComponent(JSON.stringify({ paused: true }))}`,
  );
  await tab.waitForFunction(() => window.__devReady === true);
  check(
    'restored paused state: button says Resume',
    (await tab.textContent('[data-testid=pause]')).trim() === 'Resume',
  );
  check('restored paused state: history still drawn', (await points(tab)) === 3600);
  const widthBefore = await tab.evaluate(() => document.querySelector('.uplot canvas').clientWidth);
  await tab.setViewportSize({ width: 700, height: 900 });
  await tab.waitForTimeout(200);
  const widthAfter = await tab.evaluate(() => document.querySelector('.uplot canvas').clientWidth);
  check(
    'chart resizes with the panel',
    widthAfter < widthBefore && widthAfter > 500,
    `${widthBefore} -> ${widthAfter}`,
  );
  await tab.close();

  tab = await open('inspect', 'waiting');
  check('waiting: no figures yet', await tab.isVisible('[data-testid=no-snapshot]'));
  for (let i = 0; i < 3; i++) {
    await sample(tab, (100 + i) * 2 ** 20);
  }
  await tab.waitForTimeout(50);
  check(
    'first samples after waiting are drawn',
    (await points(tab)) === 3 && !(await tab.isVisible('[data-testid=no-snapshot]')),
    String(await points(tab)),
  );
  await tab.waitForTimeout(100);
  check('chart created once the panel has a size', (await tab.locator('.uplot canvas').count()) === 1);
  await tab.close();

  tab = await open('inspect', 'unavailable');
  check(
    'unavailable figure shows its reason, not 0',
    (await tab.textContent('[data-figure=pss] [data-testid=figure-value]')).startsWith('unavailable: '),
  );
  check(
    'unavailable figure has data-state',
    (await tab.getAttribute('[data-figure=pss]', 'data-state')) === 'unavailable',
  );
  check(
    'mappings unavailable: the reason instead of a table',
    (await tab.getAttribute('[data-testid=mappings]', 'data-state')) === 'unavailable' &&
      (await tab.textContent('[data-testid=mappings-unavailable]')).includes('Permission denied') &&
      !(await tab.isVisible('[data-testid=mapping-top]')),
  );
  await tab.close();

  // Where RES lives.
  tab = await open('inspect', 'live');
  const kinds = await tab.$$eval('[data-testid^=mapping-category-]', (rows) =>
    rows.map((row) => ({
      kind: row.getAttribute('data-kind'),
      rss: Number(row.getAttribute('data-rss')),
      visible: row.getBoundingClientRect().height > 0,
    })),
  );
  const resBytes = Number(await tab.getAttribute('[data-figure=res]', 'data-bytes'));
  check(
    'mappings: eight kinds, each shown',
    kinds.length === 8 && kinds.every((row) => row.visible),
    JSON.stringify(kinds),
  );
  check(
    'mappings: largest RSS first',
    kinds.every((row, i) => i === 0 || kinds[i - 1].rss >= row.rss),
    kinds.map((row) => row.kind).join(','),
  );
  check(
    'mappings: kinds add up to RES',
    kinds.reduce((sum, row) => sum + row.rss, 0) === resBytes &&
      Number(await tab.getAttribute('[data-testid=mappings]', 'data-rss')) === resBytes,
    `${kinds.reduce((sum, row) => sum + row.rss, 0)} vs ${resBytes}`,
  );
  check('mappings: eight largest mappings', (await tab.locator('[data-testid=mapping-top]').count()) === 8);
  const longPath = tab.locator('[data-testid=mapping-top] .mapping-path').nth(4);
  const fullPath = await longPath.getAttribute('title');
  const pathFits = await longPath.evaluate(
    (element) => element.scrollWidth <= element.parentElement.parentElement.clientWidth + 1,
  );
  check(
    'mappings: a long path is shortened in the middle, whole in its title',
    fullPath?.endsWith('libvips-cpp.so.8.16.1') &&
      (await longPath.locator('.path-base').textContent()) === 'libvips-cpp.so.8.16.1' &&
      pathFits,
    `${fullPath} fits ${pathFits}`,
  );
  await tab.focus('[data-testid=label-mapping-heap]');
  check(
    'mapping kind label explains itself (MAPPING_DOCS)',
    (await tab.isVisible('[data-testid=tooltip-mapping-heap]')) &&
      (await tab.textContent('[data-testid=tooltip-mapping-heap]')).includes('The classic heap that malloc grows'),
  );
  await sample(tab, 430 * 2 ** 20);
  await tab.waitForTimeout(50);
  check(
    'a new sample keeps the focus and the open tooltip of a kind label',
    (await tab.evaluate(() => document.activeElement?.getAttribute('data-testid'))) === 'label-mapping-heap' &&
      (await tab.isVisible('[data-testid=tooltip-mapping-heap]')),
  );
  check(
    'a new sample updates the kinds in place',
    Number(await tab.getAttribute('[data-testid=mappings]', 'data-rss')) === Math.round((430 * 2 ** 20) / 4096) * 4096,
  );
  await tab.evaluate(() => {
    const { mappings, commandLine, ...rest } = window.__snapshot({ resBytes: 440 * 2 ** 20 });
    void mappings;
    void commandLine;
    window.__hostPost({ type: 'sample', snapshot: rest, timeMs: Date.now(), trendPerMinute: 0 });
  });
  await tab.waitForTimeout(50);
  check(
    'a sample without mappings and command line keeps the ones the page has',
    (await tab.textContent('[data-figure=res] [data-testid=figure-value]')) === '440.0 MiB' &&
      Number(await tab.getAttribute('[data-testid=mappings]', 'data-rss')) ===
        Math.round((430 * 2 ** 20) / 4096) * 4096 &&
      (await tab.textContent('.command-line'))?.includes('--max-old-space-size'),
  );
  await tab.close();

  tab = await open('inspect', 'live');
  check(
    'chart: markers of stops and user',
    Number(await tab.getAttribute('[data-testid=chart]', 'data-markers')) === 4 &&
      (await tab.textContent('[data-testid=chart-marker-info]')).startsWith('3 debug stops and 1 marker'),
  );
  const box = await tab.locator('.uplot .u-over').boundingBox();
  // The second stop sits at 80 % of the history: point at it and read what it says.
  const x = await tab.evaluate(() => {
    const over = document.querySelector('.uplot .u-over');
    return over.getBoundingClientRect().left;
  });
  let described = '';
  for (
    let dx = Math.floor(box.width * 0.78);
    dx <= Math.ceil(box.width * 0.82) && !described.startsWith('Stop');
    dx += 2
  ) {
    await tab.mouse.move(x + dx, box.y + box.height / 2);
    described = (await tab.textContent('[data-testid=chart-marker-info]')) ?? '';
  }
  check(
    'chart: pointing at a stop marker describes it',
    described.includes('server.js:57') && described.includes('+64.0 MiB'),
    described,
  );
  await tab.evaluate(() => window.__hostPost({ type: 'markers', markers: [] }));
  check(
    'chart: markers replaced by the host',
    Number(await tab.getAttribute('[data-testid=chart]', 'data-markers')) === 0,
  );
  await tab.close();

  // Will it run out of memory?
  tab = await open('inspect', 'live');
  const figureOf = (key) =>
    tab.getAttribute(`[data-testid=out-of-memory] [data-figure=${key}]`, 'data-bytes').then(Number);
  const usageBytes = await figureOf('cgroupUsage');
  const workingSetBytes = await figureOf('workingSet');
  check(
    'oom: usage and working set side by side, working set the smaller',
    usageBytes > workingSetBytes &&
      workingSetBytes > 0 &&
      (await tab.textContent('[data-figure=workingSet] [data-testid=figure-note]')).includes('inactive page cache'),
    `${usageBytes} ${workingSetBytes}`,
  );
  const levels = await tab.$$eval('[data-testid=limit-level]', (rows) =>
    rows.map((row) => ({
      path: row.getAttribute('data-path'),
      limit: Number(row.getAttribute('data-limit')),
      ws: Number(row.getAttribute('data-working-set')),
      headroom: Number(row.getAttribute('data-headroom')),
      tightest: row.hasAttribute('data-tightest'),
    })),
  );
  check(
    'oom: every level with its headroom = limit − its working set',
    levels.length === 2 && levels.every((level) => level.headroom === level.limit - level.ws),
    JSON.stringify(levels),
  );
  const tightestLevel = levels.find((level) => level.tightest);
  check(
    'oom: the tightest level is marked and is the Limit tile',
    tightestLevel &&
      tightestLevel.headroom === Math.min(...levels.map((level) => level.headroom)) &&
      Number(await tab.getAttribute('[data-figure=cgroup]', 'data-headroom')) === tightestLevel.headroom,
    JSON.stringify(tightestLevel),
  );
  await tab.focus('[data-testid=label-workingSet]');
  check(
    'working set label explains why it differs from usage',
    (await tab.isVisible('[data-testid=tooltip-workingSet]')) &&
      (await tab.textContent('[data-testid=tooltip-workingSet]')).includes('inactive page cache'),
  );
  await tab.keyboard.press('Escape');
  check(
    'oom counters: v2 shows high, max, oom, oom_kill; not failcnt',
    (await tab.isVisible('[data-figure=eventsHigh]')) &&
      (await tab.isVisible('[data-figure=oomKill]')) &&
      !(await tab.isVisible('[data-figure=failcnt]')),
  );
  check(
    'oom score and adj shown as numbers',
    (await tab.textContent('[data-figure=oomScore] [data-testid=figure-value]')) === '712' &&
      (await tab.textContent('[data-figure=oomScoreAdj] [data-testid=figure-value]')) === '+100',
  );
  const pressure = await tab.$$eval('[data-testid=pressure] td', (cells) =>
    cells.map((cell) => cell.getAttribute('data-value')),
  );
  check(
    'pressure: some and full, 10 s and 60 s, of the system and the group',
    JSON.stringify(pressure) === JSON.stringify(['0.42', '0.18', '3.81', '1.07', '0', '0', '0.52', '0.11']),
    JSON.stringify(pressure),
  );
  check(
    'pressure: says which group',
    (await tab.textContent('[data-testid=pressure-note]')).includes(
      '/user.slice/user-1000.slice/session-3.scope in the cgroup v2 hierarchy',
    ),
  );
  await tab.focus('[data-testid=label-pressureFull]');
  check(
    'pressure full label explains itself',
    (await tab.isVisible('[data-testid=tooltip-pressureFull]')) &&
      (await tab.textContent('[data-testid=tooltip-pressureFull]')).includes('all non-idle tasks'),
  );
  await tab.keyboard.press('Escape');
  check(
    'fault rates shown per second',
    (await tab.textContent('[data-figure=minorFaults] [data-testid=figure-value]')) === '1,844/s' &&
      (await tab.textContent('[data-figure=majorFaults] [data-testid=figure-value]')) === '0.40/s',
  );
  const forecastText = () => tab.textContent('[data-testid=forecast]');
  const headroomBytes = levels.find((level) => level.tightest).headroom;
  const timeToLimit = Number(await tab.getAttribute('[data-testid=forecast]', 'data-time-to-limit'));
  check(
    'forecast: growing, the rate, the fit and the time to the tightest limit (its headroom / rate)',
    (await tab.getAttribute('[data-testid=forecast]', 'data-verdict')) === 'growing' &&
      Math.abs(timeToLimit - (headroomBytes / (3.93 * 1024 * 1024)) * 60000) < 1 &&
      /^↑At \+3\.93 MiB\/min this reaches the cgroup limit \(memory\.\w+ of \/[^)]+\) in about \d+ (h|min)/.test(
        await tab.textContent('.forecast-verdict'),
      ) &&
      (await forecastText()).includes('R² 0.97'),
    await forecastText(),
  );
  await tab.evaluate(() =>
    window.__hostPost({
      type: 'sample',
      snapshot: window.__snapshot({}),
      timeMs: Date.now(),
      trendPerMinute: 0,
      forecast: { verdict: 'steady', reason: 'sawtooth', spanMs: 600000, bytesPerMinute: 1024, r2: 0.02 },
    }),
  );
  check(
    'forecast: a new fit replaces the verdict (a sawtooth back to its base is no leak)',
    (await tab.getAttribute('[data-testid=forecast]', 'data-verdict')) === 'steady' &&
      (await tab.textContent('[data-testid=forecast-verdict]')).startsWith('No leak: RES rises and falls back') &&
      !(await tab.locator('[data-testid=forecast]').getAttribute('data-time-to-limit')),
    await forecastText(),
  );
  await tab.evaluate(() =>
    window.__hostPost({ type: 'sample', snapshot: window.__snapshot({}), timeMs: Date.now(), trendPerMinute: 0 }),
  );
  check(
    'forecast: a sample without one keeps the last fit',
    (await tab.getAttribute('[data-testid=forecast]', 'data-verdict')) === 'steady',
  );
  await tab.close();
  tab = await open('inspect', 'unavailable');
  check(
    'oom: unreadable working set, counters, score say why',
    (await tab.textContent('[data-figure=workingSet] [data-testid=figure-value]')).startsWith('unavailable: ') &&
      (await tab.textContent('[data-testid=oom-unavailable]')).includes('Permission denied') &&
      (await tab.textContent('[data-figure=oomScore] [data-testid=figure-value]')).startsWith('unavailable: ') &&
      (await tab.textContent('[data-figure=minorFaults] [data-testid=figure-value]')) ===
        'unavailable: needs two readings',
  );
  check(
    'forecast: collecting says how much longer',
    (await tab.getAttribute('[data-testid=forecast]', 'data-verdict')) === 'collecting' &&
      (await tab.textContent('[data-testid=forecast-verdict]')) ===
        'Leak forecast: collecting readings (about 20 s more).',
  );
  check(
    'pressure unavailable: dashes and the reason, never 0',
    (await tab.$$eval('[data-testid=pressure] td', (cells) =>
      cells.every((cell) => cell.textContent === '–' && !cell.hasAttribute('data-value')),
    )) && (await tab.textContent('[data-testid=pressure-note]')).includes('no pressure stall information'),
  );
  check(
    'oom: no limit anywhere says so',
    (await tab.textContent('[data-testid=no-limit]')).includes('No limit') &&
      (await tab.textContent('[data-figure=cgroup] [data-testid=figure-value]')).startsWith('unavailable: no limit'),
  );
  await tab.close();
  tab = await open('inspect', 'ended');
  check(
    'cgroup unavailable: the reason instead of the figures',
    (await tab.getAttribute('[data-testid=out-of-memory]', 'data-cgroup')) === 'unavailable' &&
      (await tab.textContent('[data-testid=cgroup-unavailable]')).includes('cgroup v1: no single memory limit'),
  );
  check(
    'a plain exit is not called an OOM kill',
    (await tab.isVisible('#exit-banner')) && !(await tab.isVisible('#oom-banner')),
  );
  await tab.close();
  tab = await open('inspect', 'oom-killed');
  check(
    'OOM-killed: its banner with the evidence, not the plain exit banner',
    (await tab.isVisible('#oom-banner')) &&
      !(await tab.isVisible('#exit-banner')) &&
      (await tab.textContent('#oom-banner')).includes('Most likely killed by the OOM killer') &&
      (await tab.textContent('#oom-banner')).includes('oom_kill of cgroup /docker/3f2a9c rose by 1'),
  );
  check(
    'v1 counters: failcnt and oom_kill only',
    (await tab.isVisible('[data-figure=failcnt]')) && !(await tab.isVisible('[data-figure=eventsMax]')),
  );
  await tab.close();

  tab = await open('inspect', 'hostile');
  check(
    'hostile cgroup path shows as text',
    (await tab.textContent('[data-testid=cgroup-path]')).includes('"><img src=x onerror=alert(2)>') &&
      (await tab.locator('[data-testid=out-of-memory] img').count()) === 0,
  );
  check(
    'hostile cgroup path in the forecast shows as text',
    (await tab.textContent('[data-testid=forecast-verdict]')).includes('"><img src=x onerror=alert(2)>') &&
      (await tab.locator('[data-testid=forecast] img').count()) === 0,
  );
  const hostileRow = await tab.locator('[data-testid=mapping-top]', { hasText: '<img' }).first().textContent();
  check('hostile mapping path shows as text', hostileRow?.includes('/tmp/<img src=x onerror=alert(1)>.so'), hostileRow);
  check('hostile mapping path made no element', (await tab.locator('[data-testid=mappings] img').count()) === 0);
  await tab.close();

  // Figures never lose digits: at 200 px (and a few other widths) no tile value is clipped, cut
  // with an ellipsis, or pushed out of its tile, and the page does not scroll sideways.
  for (const width of [200, 320, 460, 760]) {
    tab = await browser.newPage({ viewport: { width, height: 1600 } });
    await tab.goto(`${origin}/inspect.html?view=inspect&scenario=live&theme=dark`);
    await tab.waitForFunction(() => window.__devReady === true);
    await sample(tab, 1023.9 * 2 ** 20); // the widest RES text: "1023.9 MiB"
    await tab.waitForTimeout(100);
    const clipped = await clippedTileValues(tab);
    check(
      `${width} px: no tile value clipped or ellipsised`,
      clipped.values === 22 && clipped.problems.length === 0,
      JSON.stringify(clipped),
    );
    await tab.close();
  }

  // Where RES lives, for a process whose smaps is read rarely: how fresh, why, and Read now.
  tab = await open('inspect', 'many-mappings');
  const freshness = await tab.textContent('[data-testid=mappings-freshness]');
  check(
    'mappings freshness says when, how many mappings and how often',
    freshness ===
      'Read 40 s ago; this process has 40\u00a0000 mappings and one read takes 296 ms, so it is read once a minute' &&
      (await tab.getAttribute('[data-testid=mappings-freshness]', 'data-pace')) === 'cost',
    freshness,
  );
  await tab.click('[data-testid=read-mappings-now]');
  check(
    'Read now posts readMappings',
    JSON.stringify((await posted(tab)).at(-1)) === JSON.stringify({ type: 'readMappings' }),
    JSON.stringify((await posted(tab)).at(-1)),
  );
  await tab.evaluate(() => {
    const snapshot = window.__snapshot({});
    window.__hostPost({
      type: 'sample',
      snapshot: {
        ...snapshot,
        mappings: { ...snapshot.mappings, pace: { everyMs: 60000, byCost: true, costMs: 296, reading: true } },
      },
      timeMs: Date.now(),
      trendPerMinute: 0,
    });
  });
  await tab.waitForTimeout(50);
  check(
    'while reading: Read now disabled, the line says so',
    (await tab.getAttribute('[data-testid=read-mappings-now]', 'disabled')) !== null &&
      (await tab.textContent('[data-testid=mappings-freshness]')).endsWith('reading now…'),
    await tab.textContent('[data-testid=mappings-freshness]'),
  );
  await tab.close();

  tab = await open('inspect', 'kernel-thread');
  check(
    'kernel thread: explanation instead of figures',
    (await tab.isVisible('[data-testid=memoryless]')) && !(await tab.isVisible('[data-figure=res]')),
  );
  await tab.close();

  tab = await open('debugView', 'sessions');
  check(
    'child sessions nested under the parent',
    (await tab.locator('[data-session-id=parent] > .session-children > [data-session-id=child]').count()) === 1,
  );
  await tab.click('[data-session-id=child] > .session-card [data-testid=peak-res]');
  check(
    'row click posts inspect',
    JSON.stringify((await posted(tab)).at(-1)) === JSON.stringify({ type: 'inspect', pid: 48214, startTicks: 9812345 }),
    JSON.stringify((await posted(tab)).at(-1)),
  );
  await tab.click('[data-session-id=lldb] [data-testid=pick]');
  check(
    'Pick process posts pick',
    JSON.stringify((await posted(tab)).at(-1)) === JSON.stringify({ type: 'pick', sessionId: 'lldb' }),
  );
  check('ended row has no Inspect button', !(await tab.isVisible('[data-session-id=old] [data-testid=inspect]')));
  const oomRow = '[data-session-id=oom] > .session-card';
  check(
    'OOM-killed row: the verdict with its evidence, the cgroup path as text',
    (await tab.isVisible(`${oomRow} [data-testid=session-oom]`)) &&
      (await tab.getAttribute(`${oomRow} [data-testid=session-oom]`, 'role')) === 'alert' &&
      (await tab.textContent(`${oomRow} [data-testid=session-oom]`)).startsWith(
        "Most likely killed by the kernel's OOM killer.",
      ) &&
      (await tab.textContent(`${oomRow} [data-testid=session-oom-text]`)).includes(
        'oom_kill of cgroup /docker/<img src=x onerror=alert(7)> rose by 1 (0 → 1)',
      ) &&
      (await tab.locator(`${oomRow} img`).count()) === 0,
    await tab.textContent(`${oomRow}`),
  );
  check(
    'a plain exit has no OOM verdict, a live row neither',
    !(await tab.isVisible('[data-session-id=old] > .session-card [data-testid=session-oom]')) &&
      !(await tab.isVisible('[data-session-id=parent] > .session-card [data-testid=session-oom]')),
  );
  check(
    'since last stop text',
    (await tab.textContent('[data-session-id=parent] > .session-card [data-testid=since-last-stop]')) ===
      '+42.0 MiB since the last stop',
  );
  // Stops, what changed between two of them, and the sparkline's markers.
  const child = '[data-session-id=child] > .session-card';
  const stopIds = await tab.$$eval(`${child} [data-testid=stop]`, (items) =>
    items.map((item) => Number(item.getAttribute('data-stop-id'))),
  );
  check('stops: newest first', JSON.stringify(stopIds) === '[4,3,2,1]', JSON.stringify(stopIds));
  check(
    'stops: location and change',
    (await tab.textContent(`${child} [data-stop-id="4"]`)).includes('server.js:58') &&
      (await tab.textContent(`${child} [data-stop-id="4"] [data-testid=stop-delta]`)) === '+64.0 MiB in 1.2 s',
    await tab.textContent(`${child} [data-stop-id="4"]`),
  );
  check(
    'stops: a hostile file name is text',
    (await tab.textContent(`${child} [data-stop-id="2"] [data-testid=stop-location]`)) ===
      '<img src=x onerror=alert(6)>.js:3' &&
      (await tab.locator(`${child} .stops img, ${child} .stops b`).count()) === 0,
  );
  await tab.click(`${child} [data-stop-id="3"]`);
  check(
    'clicking a stop posts revealStop (and not inspect)',
    JSON.stringify((await posted(tab)).at(-1)) ===
      JSON.stringify({ type: 'revealStop', sessionId: 'child', stopId: 3 }),
    JSON.stringify((await posted(tab)).at(-1)),
  );
  await tab.focus(`${child} [data-stop-id="4"]`);
  await tab.keyboard.press('Enter');
  check(
    'Enter on a stop posts revealStop',
    JSON.stringify((await posted(tab)).at(-1)) ===
      JSON.stringify({ type: 'revealStop', sessionId: 'child', stopId: 4 }),
  );
  check(
    'a stop without a location is not a button',
    (await tab.getAttribute(`${child} [data-stop-id="1"]`, 'role')) === null,
  );
  check(
    'comparison: anonymous grew by 64 MiB, first',
    (await tab.getAttribute(`${child} [data-testid^=change-kind-]`, 'data-testid')) === 'change-kind-anonymous' &&
      Number(await tab.getAttribute(`${child} [data-testid=change-kind-anonymous]`, 'data-rss')) === 64 * 2 ** 20,
  );
  check(
    'comparison: grew-most rows, hostile path as text',
    (await tab.locator(`${child} [data-testid=change-grew]`).count()) === 3 &&
      (await tab.locator(`${child} .comparison img`).count()) === 0,
  );
  check(
    'comparison: says other threads may run',
    (await tab.textContent(`${child} [data-testid=comparison-note]`)).includes('other threads'),
  );
  const baselineOptions = await tab.$$eval(`${child} [data-testid=baseline] option`, (options) =>
    options.map((option) => option.value),
  );
  check(
    'comparison: earlier stops with mappings as baselines',
    JSON.stringify(baselineOptions) === '["3","2"]',
    JSON.stringify(baselineOptions),
  );
  await tab.selectOption(`${child} [data-testid=baseline]`, '2');
  check(
    'picking a baseline posts setBaseline',
    JSON.stringify((await posted(tab)).at(-1)) ===
      JSON.stringify({ type: 'setBaseline', sessionId: 'child', stopId: 2 }),
  );
  check(
    'sparkline: one mark per marker in its span',
    Number(await tab.getAttribute(`${child} [data-testid=sparkline]`, 'data-marks')) === 4 &&
      (await tab.locator(`${child} [data-testid=sparkline-mark] title`).first().textContent()) ===
        'server.js:41: handleOrder · breakpoint · RES 402.1 MiB at the first stop',
  );
  // A sample message carries only the live part of a row and the newest point: the stops, the
  // comparison and the markers stay; the sparkline moves on by one point, once.
  const sparkPoints = async () => Number(await tab.getAttribute(`${child} [data-testid=sparkline]`, 'data-points'));
  const pointsBefore = await sparkPoints();
  const postSample = (timeMs) =>
    tab.evaluate((at) => {
      const live = {
        status: 'found',
        message: 'PID from the debug adapter (process event)',
        sinceLastStop: -3 * 2 ** 20,
        children: undefined,
        point: { timeMs: at, resBytes: 512 * 2 ** 20 },
      };
      window.__hostPost({
        type: 'sample',
        rows: [
          {
            ...live,
            sessionId: 'child',
            snapshot: window.__snapshot({ pid: 48214, startTicks: 9812345, resBytes: 512 * 2 ** 20 }),
          },
          // A session the view was never told about: ignored until a state brings it.
          { ...live, sessionId: 'nobody', snapshot: window.__snapshot({}) },
        ],
      });
    }, timeMs);
  const at = Date.now() + 60_000;
  await postSample(at);
  await postSample(at); // the same reading again (detail arriving between ticks): no new point
  await tab.waitForTimeout(50);
  check(
    'sample: new figures and one new point, same stops, comparison and markers',
    Number(await tab.getAttribute(`${child} [data-figure=res]`, 'data-bytes')) === 512 * 2 ** 20 &&
      (await tab.textContent(`${child} [data-testid=since-last-stop]`)) === '-3.00 MiB since the last stop' &&
      (await sparkPoints()) === Math.min(60, pointsBefore + 1) &&
      Number(await tab.getAttribute(`${child} [data-testid=sparkline]`, 'data-marks')) > 0 &&
      (await tab.locator(`${child} [data-testid=stop]`).count()) === 4 &&
      (await tab.locator(`${child} [data-testid=change-grew]`).count()) === 3 &&
      (await tab.locator('[data-session-id=nobody]').count()) === 0,
    `${await tab.getAttribute(`${child} [data-figure=res]`, 'data-bytes')} ${await tab.textContent(`${child} [data-testid=since-last-stop]`)} points ${pointsBefore} -> ${await sparkPoints()}`,
  );
  await tab.evaluate(() =>
    window.__hostPost({
      type: 'state',
      debugging: true,
      rows: [
        {
          sessionId: 'big',
          parentSessionId: undefined,
          name: 'big',
          debugType: 'lldb',
          status: 'found',
          message: '',
          snapshot: window.__snapshot({}),
          sparkline: [],
          sparklineTimesMs: [],
          sinceLastStop: undefined,
          children: undefined,
          markers: [],
          stops: [
            {
              id: 2,
              atMs: Date.now(),
              reason: 'step',
              location: undefined,
              resBytes: 1,
              sincePrevious: undefined,
              hasMappings: false,
            },
            {
              id: 1,
              atMs: Date.now(),
              reason: 'step',
              location: undefined,
              resBytes: 1,
              sincePrevious: undefined,
              hasMappings: true,
            },
          ],
          comparison: {
            unavailable:
              'No mappings at stop 2: smaps of this process took 170 ms to read, so it is read on demand only.',
            canReadNow: true,
          },
        },
      ],
    }),
  );
  await tab.waitForTimeout(50);
  check(
    'comparison unavailable: the reason and Read now',
    (await tab.textContent('[data-testid=comparison-unavailable]')).includes('170 ms') &&
      (await tab.isVisible('[data-testid=read-mappings]')),
  );
  // 'big' starts with no points: the same reading sent twice adds one point, not two.
  await tab.evaluate(() => {
    const sample = {
      sessionId: 'big',
      status: 'found',
      message: '',
      snapshot: window.__snapshot({}),
      sinceLastStop: undefined,
      children: undefined,
      point: { timeMs: Date.now(), resBytes: 2 ** 20 },
    };
    window.__hostPost({ type: 'sample', rows: [sample] });
    window.__hostPost({ type: 'sample', rows: [sample] });
  });
  await tab.waitForTimeout(50);
  check(
    'sample: a repeated reading adds no point',
    (await tab.getAttribute('[data-session-id=big] [data-testid=sparkline]', 'data-points')) === '1',
    await tab.getAttribute('[data-session-id=big] [data-testid=sparkline]', 'data-points'),
  );
  await tab.click('[data-testid=read-mappings]');
  check(
    'Read now posts readMappings',
    JSON.stringify((await posted(tab)).at(-1)) === JSON.stringify({ type: 'readMappings', sessionId: 'big' }),
  );
  await tab.evaluate(() => window.__hostPost({ type: 'state', debugging: false, rows: [] }));
  await tab.waitForTimeout(50);
  check(
    'not debugging: explanation',
    (await tab.textContent('[data-testid=not-debugging]')).startsWith('Start debugging'),
  );
  await tab.close();

  tab = await open('recording', 'recording');
  check(
    'recording: the name as text, the facts, the chart with its markers',
    (await tab.textContent('[data-testid=recording-name]')) === '<img src=x onerror=alert(1)> (PID 48213)' &&
      (await tab.textContent('[data-testid=recording-facts]')).includes('peak RES') &&
      Number(await tab.getAttribute('[data-testid=chart]', 'data-markers')) === 4 &&
      (await tab.locator('.recording-head img').count()) === 0,
  );
  check(
    'recording: stops and markers listed in order',
    (await tab.locator('[data-testid=recording-stop]').count()) === 4,
  );
  await tab.click('[data-testid=compare-with]');
  check(
    'Compare with… posts compareWith',
    JSON.stringify((await posted(tab)).at(-1)) === JSON.stringify({ type: 'compareWith' }),
  );
  await tab.close();
  tab = await open('recording', 'invalid');
  check(
    'recording: a bad file says why, no chart',
    (await tab.textContent('[data-testid=recording-invalid-text]')).includes('truncated') &&
      !(await tab.isVisible('[data-testid=chart]')),
  );
  await tab.close();
  // A day at 1 Hz: how long from the message to the drawn chart (no target; uPlot draws it whole).
  tab = await open('recording', 'day');
  await tab.waitForFunction(
    () =>
      document.querySelector('[data-testid=chart]')?.getAttribute('data-points') === '86400' &&
      document.querySelector('.uplot canvas'),
  );
  const drawnMs = await tab.evaluate(
    () =>
      new Promise((resolve) =>
        requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now() - window.__sentAtMs))),
      ),
  );
  console.log(
    `info recording of 24 h at 1 Hz (86 400 samples): drawn ${Math.round(drawnMs)} ms after the host's message`,
  );
  await tab.mouse.move(600, 450);
  check(
    'recording of a day: drawn whole, the legend follows the pointer',
    Number(await tab.getAttribute('[data-testid=chart]', 'data-points')) === 86400 &&
      (await tab.textContent('.u-legend')).includes('MiB'),
  );
  await tab.close();

  tab = await open('compare', 'compare');
  check(
    'compare: both runs, the verdict, two curves',
    (await tab.textContent('[data-testid=verdict]')).startsWith('Run B peaks') &&
      Number(await tab.getAttribute('[data-testid=overlay-chart]', 'data-points-a')) > 0 &&
      Number(await tab.getAttribute('[data-testid=overlay-chart]', 'data-points-b')) > 0,
  );
  check('compare: stops side by side', (await tab.locator('[data-testid=stop-pair]').count()) === 3);
  await tab.selectOption('[data-testid=alignment]', 'start');
  check(
    'compare: changing the alignment posts align',
    JSON.stringify((await posted(tab)).at(-1)) === JSON.stringify({ type: 'align', alignment: 'start' }),
  );
  await tab.close();

  // The debug view's terminals (issue 17): a row per terminal that runs a command, text only.
  tab = await open('debugView', 'terminals');
  const terminalRow = (pid) => `[data-testid=terminal][data-pid="${pid}"]`;
  check(
    'terminals: a row per terminal running a command, with its tree and largest member',
    (await tab.locator('[data-testid=terminal]').count()) === 2 &&
      (await tab.textContent(`${terminalRow(51200)} [data-testid=terminal-name]`)) === 'Terminal 1: bash' &&
      (await tab.textContent(`${terminalRow(51200)} [data-testid=terminal-command]`)) ===
        'npm run dev -- --port 5173 | tee dev.log' &&
      (await tab.getAttribute(`${terminalRow(51200)} [data-testid=terminal-command]`, 'data-source')) === 'shell' &&
      (await tab.textContent(`${terminalRow(51200)} [data-testid=terminal-tree]`)) ===
        '6 processes · RES 912.4 MiB · PSS 688.1 MiB' &&
      (await tab.textContent(`${terminalRow(51200)} [data-testid=terminal-largest]`)) ===
        'Largest: node (PID 51233) PSS 402.7 MiB',
    await tab.textContent('[data-testid=terminals]'),
  );
  check(
    'terminals: a hostile name and command line stay text',
    (await tab.textContent(`${terminalRow(51300)} [data-testid=terminal-command]`)).startsWith(
      'sh -c "<script>alert(document.cookie)</script>"',
    ) &&
      (await tab.textContent(`${terminalRow(51300)} [data-testid=terminal-name]`)).includes(
        '<img src=x onerror=alert(1)> $(zap) **bold**',
      ) &&
      (await tab
        .locator('[data-testid=terminals] img, [data-testid=terminals] script, [data-testid=terminals] svg')
        .count()) === 0 &&
      (await tab.textContent(`${terminalRow(51300)} [data-testid=terminal-tree]`)).endsWith('(PSS of 1 unreadable)'),
  );
  await tab.click(`${terminalRow(51200)} [data-testid=terminal-tree]`);
  check(
    'terminals: a row click posts inspect of the command',
    JSON.stringify((await posted(tab)).at(-1)) === JSON.stringify({ type: 'inspect', pid: 51200, startTicks: 7712345 }),
    JSON.stringify((await posted(tab)).at(-1)),
  );
  await tab.evaluate(() => window.__hostPost({ type: 'terminals', rows: [] }));
  await tab.waitForFunction(() => document.querySelectorAll('[data-testid=terminal]').length === 0);
  check(
    'terminals: none running, no section',
    !(await tab.isVisible('[data-testid=terminals]')) && (await tab.isVisible('[data-testid=not-debugging]')),
  );
  await tab.close();

  // Two task runs compare by PSS summed (issue 17), RES summed beside.
  tab = await open('compare', 'compare');
  await tab.evaluate(() => {
    const run = (name, peak) => ({
      fileName: `${name}.procmem.json`,
      name: 'make',
      pid: 4100,
      startMs: Date.now(),
      durationMs: 60000,
      peakBytes: peak,
      peakResBytes: peak * 3,
      timesS: [0, 1, 2],
      values: [0, peak, peak / 2],
    });
    window.__hostPost({
      type: 'compare',
      figure: 'PSS summed',
      a: run('build-a', 300 * 2 ** 20),
      b: run('build-b', 400 * 2 ** 20),
      alignment: 'start',
      canAlignAtStops: false,
      stops: [],
      verdict: 'Run B peaks 100.0 MiB higher than run A in PSS summed',
    });
  });
  await tab.waitForFunction(
    () => document.querySelector('[data-testid=compare-figure]')?.textContent === 'PSS summed of both runs',
  );
  check(
    'compare of task runs: PSS summed curves and peaks, RES summed beside',
    (await tab.getAttribute('[data-testid=overlay-chart]', 'data-figure')) === 'PSS summed' &&
      (await tab.textContent('[data-testid=run-b]')).endsWith('peak PSS summed 400.0 MiB (RES summed 1.17 GiB)'),
    await tab.textContent('[data-testid=run-b]'),
  );
  await tab.close();

  // Accessibility: axe-core's WCAG 2.0 and 2.1 A and AA rules on every page of the harness (each
  // view in each scenario of SHOTS), in the dark and the light theme; any violation fails.
  const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  const pages = [...new Map(SHOTS.map((shot) => [`${shot.view} ${shot.scenario}`, shot])).values()];
  for (const shot of pages) {
    for (const theme of ['dark', 'light']) {
      tab = await open(shot.view, shot.scenario, theme);
      await tab.evaluate(axeSource); // through the debugger protocol: the page's CSP allows no inline script
      const violations = await tab.evaluate(async () => {
        const result = await window.axe.run(document, {
          runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
        });
        return result.violations.map(
          (violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`,
        );
      });
      check(
        `axe (WCAG 2.1 AA): ${shot.view} ${shot.scenario} ${theme}`,
        violations.length === 0,
        violations.join('; '),
      );
      await tab.close();
    }
  }

  for (const result of results) {
    console.log(
      `${result.ok ? 'ok  ' : 'FAIL'} ${result.name}${result.ok || !result.detail ? '' : ` (${result.detail})`}`,
    );
  }
  return results.every((result) => result.ok);
}

build();
const server = await serve();
const origin = `http://127.0.0.1:${server.address().port}`;
if (mode === 'serve') {
  console.log(`${origin}/inspect.html?scenario=live&theme=dark&live=1`);
  console.log(`${origin}/debugView.html?view=debugView&scenario=sessions&theme=light`);
} else {
  const code = await shots(origin);
  server.close();
  process.exit(code);
}
