// What ships: `npm run package` builds the production .vsix (minified bundles, the .vscodeignore
// allowlist), code-server installs it as a user would, and the workbench runs it without the
// development folder: the status bar, the picker, the inspect panel with its worker-read mappings,
// all under the webviews' real CSP. The development build is restored afterwards for the suites
// that follow.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { repoRoot } from '../host/codeServer';
import { startAllocator, statmBytes, TestProcess } from './processes';
import { hasSelector, itLoggedNoProblems, openWorkbench, waitForAttribute, Workbench } from './workbench';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

describe('the packaged extension (.vsix)', function () {
  this.timeout(300_000);
  let workbench: Workbench;
  let allocator: TestProcess;
  let dir: string;

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'proc-memory-vsix-'));
    const vsix = path.join(dir, 'proc-memory.vsix');
    const packaged = spawnSync(npm, ['run', 'package', '--', '--out', vsix], { cwd: repoRoot, encoding: 'utf8' });
    assert.equal(packaged.status, 0, `npm run package failed: ${packaged.stderr || packaged.stdout}`);
    allocator = await startAllocator(48, 'pm-vsix-test');
    workbench = await openWorkbench({ vsix, settings: { 'workbench.colorTheme': 'Default Dark Modern' } });
  });

  afterEach(async function () {
    await workbench?.screenshotIfFailed(this);
  });

  after(async () => {
    await workbench?.close('vsix');
    await allocator?.kill();
    rmSync(dir, { recursive: true, force: true });
    // The suites after this one load the development folder: give it back its development build.
    const rebuilt = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: repoRoot, encoding: 'utf8' });
    assert.equal(rebuilt.status, 0, `restoring the development build failed: ${rebuilt.stderr}`);
  });

  it('is installed from the .vsix, with only what the allowlist ships', () => {
    const installed = readdirSync(workbench.server.extensionsDir).filter((name) =>
      name.startsWith('proc-memory.proc-memory-'),
    );
    assert.equal(installed.length, 1, `extensions folder: ${readdirSync(workbench.server.extensionsDir).join(', ')}`);
    const root = path.join(workbench.server.extensionsDir, installed[0]);
    const files = readdirSync(root, { recursive: true })
      .map(String)
      .filter((file) => !file.endsWith('/') && !['dist', 'dist/webview', 'media', 'media/screenshots'].includes(file));
    assert.ok(
      files.includes('dist/extension.js') &&
        files.includes('dist/smapsWorker.js') &&
        files.includes('dist/webview/inspect.js'),
      files.join(', '),
    );
    assert.ok(
      !files.some(
        (file) =>
          /^(src|test|webview|node_modules|bench|scripts)\//.test(file) ||
          file.endsWith('.map') ||
          file.endsWith('.ts'),
      ),
      `shipped too much: ${files.join(', ')}`,
    );
  });

  it('inspects a process from the palette, RES equal to /proc, where RES lives read in its worker', async () => {
    await workbench.runCommand('Memory: Inspect Process');
    await workbench.pickProcess(allocator.pid);
    const frame = await workbench.findWebviewFrame(hasSelector('[data-figure=res]'));
    await waitForAttribute(
      frame.locator('[data-figure=res]'),
      'data-bytes',
      (value) => Number(value) === statmBytes(allocator.pid).res,
      15_000,
    );
    // smaps is read in dist/smapsWorker.js: it must have shipped and started.
    await waitForAttribute(frame.locator('[data-testid=mappings]'), 'data-state', (value) => value === 'value', 30_000);
    assert.ok(Number(await frame.locator('[data-testid=mappings]').getAttribute('data-rss')) > 48 * 1024 * 1024);
    await workbench.screenshot('vsix-inspect');
  });

  itLoggedNoProblems(() => workbench);
});
