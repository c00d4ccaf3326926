#!/usr/bin/env node
// Dev server for the webviews (not shipped, not a test): builds the view bundles and the fake host
// (fakeHost.ts), serves them on 127.0.0.1 under the CSP the extension host sends, and prints the
// URL of each view. Open one in a browser; change the scenario and theme in its query
// (?scenario=…&theme=dark|light|hc; &live=1 feeds the inspect panel a reading a second).
// Rebuild by restarting. The checks of these pages are tests: test/webview/ (npm test -- webview).
//
//   node webview/dev/run.mjs
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
// devServer.ts is TypeScript for Node: bundled here to run without compiling the tests.
const bundled = join(repo, 'test-results', 'dev-build', 'devServer.cjs');
esbuild.buildSync({
  entryPoints: [join(repo, 'webview', 'dev', 'devServer.ts')],
  outfile: bundled,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  packages: 'external',
  logLevel: 'warning',
});
const { buildDevPages, startDevServer } = createRequire(import.meta.url)(bundled);
buildDevPages(repo);
const server = await startDevServer(repo);
console.log('Serving the webviews with the fake host (Ctrl-C stops):');
for (const [view, scenarios] of [
  ['inspect', 'live ended unavailable hostile many-mappings kernel-thread zombie waiting oom-killed'],
  ['debugView', 'sessions idle one terminals'],
  ['recording', 'recording invalid day'],
  ['compare', 'compare task-runs'],
]) {
  console.log(`  ${server.url(view, scenarios.split(' ')[0])}   (scenarios: ${scenarios})`);
}
