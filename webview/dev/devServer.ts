// Dev harness (not shipped; Node, not browser code): builds the view bundles and the fake host,
// and serves them on 127.0.0.1 under the very CSP the extension host sends (shared/webviewPage.ts).
// Used by the tests in test/webview/ and by `node webview/dev/run.mjs` for working on a view in a
// browser. Excluded from webview/tsconfig.json (no DOM here); compiled with the tests.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { extname, join, resolve, sep } from 'node:path';
import * as esbuild from 'esbuild';
import { webviewPage } from '../../shared/webviewPage';

/** The views, by the name of their bundle in dist/webview/. */
export type ViewName = 'inspect' | 'debugView' | 'recording' | 'compare';
export type ThemeName = 'dark' | 'light' | 'hc';

export interface DevServer {
  /** http://127.0.0.1:PORT */
  readonly origin: string;
  /** The page of a view showing a scenario of the fake host; `state` is what getState() returns. */
  url(view: ViewName, scenario: string, theme?: ThemeName, state?: unknown): string;
  close(): Promise<void>;
}

export interface CodeAt {
  /** The source file esbuild says the bundle line came from. */
  module: string;
  code: string;
}

/** Builds the bundles (node esbuild.mjs) and the fake host. `repo` is the repository's root. */
export function buildDevPages(repo: string): void {
  const result = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: repo, stdio: 'inherit' });
  if (result.status !== 0) {
    throw new Error('node esbuild.mjs failed');
  }
  esbuild.buildSync({
    entryPoints: [join(repo, 'webview', 'dev', 'fakeHost.ts')],
    outfile: join(devBuildDir(repo), 'fakeHost.js'),
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    logLevel: 'warning',
  });
}

function devBuildDir(repo: string): string {
  return join(repo, 'test-results', 'dev-build');
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.map': 'application/json',
  '.html': 'text/html',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** The page shared/webviewPage.ts makes for the extension host, with the dev theme styles and the fake host added. */
function page(origin: string, bundle: ViewName): string {
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

/** Serves what buildDevPages() built, on a free port of 127.0.0.1. */
export async function startDevServer(repo: string): Promise<DevServer> {
  const files: Record<string, string> = {
    '/dist/webview/': join(repo, 'dist', 'webview'),
    '/media/': join(repo, 'media'),
    '/webview/dev/': join(repo, 'webview', 'dev'),
    '/dev-build/': devBuildDir(repo),
  };
  let origin = '';
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', origin);
    if (url.pathname === '/favicon.ico') {
      // Chromium asks every new origin for one; a webview has none. Answered, so a 404 of the
      // harness's own server does not read as a console error of our page.
      response.writeHead(204).end();
      return;
    }
    const bundle = /^\/(inspect|debugView|recording|compare)\.html$/.exec(url.pathname)?.[1] as ViewName | undefined;
    if (bundle) {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      response.end(page(origin, bundle));
      return;
    }
    for (const [prefix, dir] of Object.entries(files)) {
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
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    url: (view, scenario, theme = 'dark', state) =>
      `${origin}/${view}.html?view=${view}&scenario=${scenario}&theme=${theme}` +
      (state === undefined ? '' : `&state=${encodeURIComponent(JSON.stringify(state))}`),
    close: () => new Promise((closed) => server.close(() => closed())),
  };
}

/** The bundle code at a CSP violation's line and column, and the module esbuild says it came from. */
export function codeAt(repo: string, sourceFile: string, line: number, column: number): CodeAt | undefined {
  const match = /\/dist\/webview\/([\w.]+\.js)/.exec(sourceFile);
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
