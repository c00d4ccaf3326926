// The lines that allocated memory between two stops, in the real workbench, dark and light: a Node
// program whose second stop follows a large array and whose third follows 200 000 small arrays
// made in a second file through Array.from. The tip at the allocating line of the second file, its
// hover, and the sites list in Run and Debug, each looked at in a screenshot. V8 samples at random, so the
// program reads the same samples itself (a second inspector session) and the test compares the figures with them.
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Frame } from 'playwright-core';
import { readPidFile } from './processes';
import { EditorTip, hoverAt, waitForTips as waitForTipsInEditor } from './editorTips';
import {
  hasSelector,
  itLoggedNoProblems,
  openWorkbench,
  SCREENSHOT_DIR,
  waitForAttribute,
  Workbench,
} from './workbench';

function writeWorkspace(folder: string): void {
  mkdirSync(path.join(folder, 'lib'));
  writeFileSync(
    path.join(folder, 'lib', 'records.js'),
    [
      'function makeRecords(count) {',
      '  return Array.from({ length: count }, (_, i) => new Array(24).fill(i));',
      '}',
      'module.exports = { makeRecords };',
      '',
    ].join('\n'),
  );
  writeFileSync(
    path.join(folder, 'main.js'),
    [
      "const fs = require('fs');",
      "const path = require('path');",
      "const inspector = require('inspector');",
      "const { makeRecords } = require('./lib/records');",
      'function loadTable(rows) {',
      '  return new Array(rows).fill(0.5);',
      '}',
      // The test's own account of V8's samples: a second inspector session, in the program. V8 keeps
      // one sampler per isolate, so this reads the samples Proc Memory reads. In-process posts answer at once.
      'function ownProfile() {',
      '  const session = new inspector.Session();',
      '  session.connect();',
      '  let profile;',
      "  session.post('HeapProfiler.getSamplingProfile', {}, (error, answer) => { profile = answer.profile; });",
      '  session.disconnect();',
      '  return profile;',
      '}',
      // The sizes of the samples taken since `afterOrdinal`, by the function of their nearest frame with
      // a script in records.js (Array.from is a builtin: it has none).
      'function recordsSamples(profile, afterOrdinal) {',
      '  const parent = new Map();',
      '  const nodes = new Map();',
      '  const visit = (node) => { nodes.set(node.id, node); for (const child of node.children) { parent.set(child.id, node); visit(child); } };',
      '  visit(profile.head);',
      "  const sizes = { makeRecords: [], '(anonymous)': [] };",
      '  for (const sample of profile.samples) {',
      '    if (sample.ordinal <= afterOrdinal) continue;',
      '    let node = nodes.get(sample.nodeId);',
      "    while (node && node.callFrame.url === '') node = parent.get(node.id);",
      "    if (node && node.callFrame.url.endsWith('records.js')) sizes[node.callFrame.functionName || '(anonymous)'].push(sample.size);",
      '  }',
      '  return sizes;',
      '}',
      'const lastOrdinal = (profile) => Math.max(0, ...profile.samples.map((sample) => sample.ordinal));',
      'const held = [];',
      "fs.writeFileSync(path.join(__dirname, 'main.pid'), String(process.pid));",
      'debugger; // stop 1: tracking starts',
      'held.push(loadTable(8000000));',
      'debugger; // stop 2',
      'const before = lastOrdinal(ownProfile());',
      'held.push(makeRecords(200000));',
      "fs.writeFileSync(path.join(__dirname, 'records-samples.json'), JSON.stringify(recordsSamples(ownProfile(), before)));",
      'debugger; // stop 3',
      'setInterval(() => held.length, 1000);',
      '',
    ].join('\n'),
  );
  mkdirSync(path.join(folder, '.vscode'));
  writeFileSync(
    path.join(folder, '.vscode', 'launch.json'),
    JSON.stringify({
      version: '0.2.0',
      configurations: [
        {
          type: 'node',
          request: 'launch',
          name: 'Main',
          program: '${workspaceFolder}/main.js',
          console: 'internalConsole',
        },
      ],
    }),
  );
}

/** Sampled bytes in MiB as the sites and tips print them: two decimals under 10 MiB, one above. */
function mib(sizes: number[]): string {
  const value = sizes.reduce((sum, size) => sum + size, 0) / 1024 ** 2;
  return value.toFixed(value >= 10 ? 1 : 2);
}

/** A row of the sites list: `<site> +<MiB> MiB in <n> sample(s)`. */
function siteText(site: string, sizes: number[]): RegExp {
  const count = sizes.length === 1 ? '1 sample' : `${sizes.length} samples`;
  return new RegExp(`^${site}\\s+\\+${mib(sizes).replace('.', '\\.')} MiB in ${count}(\\s|$)`);
}

for (const theme of [
  { name: 'dark', id: 'Default Dark Modern' },
  { name: 'light', id: 'Default Light Modern' },
]) {
  describe(`allocation sites between stops (${theme.name})`, function () {
    this.timeout(240_000);
    let workbench: Workbench;
    let folder: string;
    let view: Frame;

    before(async () => {
      folder = mkdtempSync(path.join(os.tmpdir(), 'proc-memory-allocations-ui-'));
      writeWorkspace(folder);
      workbench = await openWorkbench({
        folder,
        settings: {
          'workbench.colorTheme': theme.id,
          'procMemory.sampleIntervalMs': 500,
          'procMemory.allocations.enabled': true,
        },
      });
    });

    afterEach(async function () {
      await workbench?.screenshotIfFailed(this);
    });

    after(async () => {
      await workbench?.page.keyboard.press('Shift+F5').catch(() => undefined);
      await workbench?.close(`allocations-${theme.name}`);
      rmSync(folder, { recursive: true, force: true });
    });

    /** The sizes of V8's samples between stops 2 and 3, by function in records.js, as the program read them. */
    const sampled = () =>
      JSON.parse(readFileSync(path.join(folder, 'records-samples.json'), 'utf8')) as Record<
        'makeRecords' | '(anonymous)',
        number[]
      >;

    const waitForTips = (file: string, accept: (tips: EditorTip[]) => boolean, timeoutMs?: number) =>
      waitForTipsInEditor(workbench.page, file, 'allocated', accept, timeoutMs);

    it('puts a tip at the allocating line of the second file, with the stack on hover', async () => {
      await workbench.openFile('main.js');
      await workbench.runCommand('View: Split Editor Right');
      await workbench.openFile('records.js');
      // The debugger reveals its stops in the group in focus: the first, so records.js stays in view.
      await workbench.runCommand('View: Focus First Editor Group');
      await workbench.runCommand('View: Show Run and Debug');
      await workbench.runCommand('Run and Debug: Focus on Process Memory View');
      view = await workbench.findWebviewFrame(hasSelector('#app[data-view]'));
      await workbench.runCommand('View: Focus First Editor Group');
      await workbench.runCommand('Debug: Start Debugging');
      await readPidFile(path.join(folder, 'main.pid'), Date.now() + 60_000);
      // Room for the view: the debugger's other sections folded.
      await workbench.foldSideBarSections(['Variables', 'Watch', 'Breakpoints', 'Call Stack', 'Loaded Scripts']);
      // The program's row (the launcher's row above it has no allocations).
      const allocations = view.locator('[data-testid=allocations][data-state]').first();
      await waitForAttribute(allocations, 'data-state', (value) => value === 'started', 60_000);
      await workbench.page.keyboard.press('F5');
      await waitForAttribute(allocations, 'data-stop-id', (value) => value === '2', 60_000);
      await waitForAttribute(allocations, 'data-state', (value) => value === 'sites', 60_000);
      await workbench.page.keyboard.press('F5');
      await waitForAttribute(allocations, 'data-stop-id', (value) => value === '3', 60_000);
      await waitForAttribute(allocations, 'data-state', (value) => value === 'sites', 60_000);
      // The second file alone in the editor area, wide enough for its long line and the tip after it.
      await workbench.runCommand('View: Join All Editor Groups');
      await workbench.page.locator('.tab[aria-label^="records.js"]').first().click();
      await workbench.page.locator('.tab.active[aria-label^="records.js"]').first().waitFor({ state: 'visible' });
      await workbench.runCommand('View: Toggle Panel Visibility'); // the Debug Console opened with the session
      // One tip, at the arrow that made the small arrays; the array holding them (makeRecords, 3 % of
      // the bytes) is in the list but too small for a tip.
      const [tip] = await waitForTips('records.js', (found) => found.length === 1);
      assert.match(tip.line, /Array\.from\(\{ length: count \}, \(_, i\) => new Array\(24\)\.fill\(i\)\)/);
      // V8 samples at random, so the bytes are the program's own reading of the same samples.
      const arrow = sampled()['(anonymous)'];
      assert.ok(arrow.length > 1000, `the small arrays were sampled: ${arrow.length} samples`);
      assert.equal(tip.tip, `allocated +${mib(arrow)} MiB in this function since the last stop`);
      await workbench.screenshot(`allocation-tip-${theme.name}`);
      // At the tip's start: the end of the line is beyond the editor's right edge.
      const hover = await hoverAt(workbench.page, tip.left + 40, tip.y, 'Allocated here since the last stop');
      const hoverText = await hover.innerText();
      for (const expected of [
        'records.js:2',
        'from',
        'records.js:1 in makeRecords',
        'main.js',
        'The sites account for',
      ]) {
        assert.ok(hoverText.includes(expected), `hover has ${expected}: ${hoverText}`);
      }
      await workbench.screenshot(`allocation-tip-hover-${theme.name}`);
      await workbench.page.mouse.move(0, 0);
    });

    it('lists the sites in Run and Debug, largest first; a click opens the line', async () => {
      const sites = view.locator('[data-testid=allocations][data-state] [data-testid=site]');
      const { makeRecords, '(anonymous)': arrow } = sampled();
      assert.match(await sites.nth(0).innerText(), siteText('records\\.js:2 in \\(anonymous\\)', arrow));
      // Now and then one of makeRecords' small objects (its `{ length }`, its arrow) is sampled beside the store.
      assert.ok(makeRecords.includes(200_000 * 8 + 16), `the store of 200 000 elements was sampled: ${makeRecords}`);
      assert.match(await sites.nth(1).innerText(), siteText('records\\.js:1 in makeRecords', makeRecords));
      assert.match(
        await view.locator('[data-testid=allocations][data-state] [data-testid=allocations-note]').first().innerText(),
        /The sites account for [\d.]+ of [\d.]+ MiB \(the V8 heap used grew by that much since the last stop\)/,
      );
      await view.locator('[data-testid=allocations][data-state]').first().scrollIntoViewIfNeeded();
      await new Promise((resolve) => setTimeout(resolve, 800));
      await workbench.page
        .locator('.part.sidebar')
        .screenshot({ path: path.join(SCREENSHOT_DIR, `allocation-sites-${theme.name}.png`) });
      await workbench.screenshot(`allocations-${theme.name}`);
      await sites.nth(1).click();
      await workbench.page
        .locator('.editor-group-container .tab.active[aria-label^="records.js"]')
        .first()
        .waitFor({ state: 'visible' });
    });

    it('the tips go as soon as the program runs again', async () => {
      await workbench.page.keyboard.press('F5');
      await waitForTips('records.js', (tips) => tips.length === 0, 10_000);
    });

    itLoggedNoProblems(() => workbench);
  });
}
