// Three bundles: the extension host (Node, CommonJS, `vscode` provided by the host), its smaps
// worker thread, and the webview (browser IIFE). Type checking is separate (`npm run typecheck`), so
// builds stay fast.
import * as esbuild from 'esbuild';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** @type {import('esbuild').BuildOptions[]} */
const builds = [
  {
    entryPoints: ['src/extension.ts'],
    outfile: 'dist/extension.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
  },
  {
    // Reads /proc/PID/smaps off the extension host's thread (src/proc/smapsOffThread.ts starts it
    // from __dirname, which is dist/ in the bundle).
    entryPoints: ['src/proc/smapsWorker.ts'],
    outfile: 'dist/smapsWorker.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
  },
  {
    entryPoints: {
      inspect: 'webview/inspect/main.ts',
      debugView: 'webview/debugView/main.ts',
      recording: 'webview/recording/main.ts',
      compare: 'webview/compare/main.ts',
    },
    outdir: 'dist/webview',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
  },
].map((options) => ({
  bundle: true,
  minify: production,
  sourcemap: !production,
  logLevel: 'warning',
  ...options,
}));

if (watch) {
  for (const options of builds) {
    const context = await esbuild.context(options);
    await context.watch();
  }
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
}
