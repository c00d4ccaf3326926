#!/usr/bin/env node
// Installs the test host: code-server 4.100.3 (VS Code 1.100.3, web workbench + Node remote
// extension host) without the internet, into a cache folder OUTSIDE the repository:
// $PROC_MEMORY_TEST_HOST_DIR, else ${XDG_CACHE_HOME:-~/.cache}/proc-memory-test-host/code-server-4.100.3.
//
// Why not <repo>/.vscode-test/: the workbench's theme service, when exactly one extension is under
// development, applies a theme contributed from inside that extension's folder (the feature for
// theme authors). With code-server inside the repository, the built-in theme-defaults extension
// is inside it too, so every test workbench came up in "Light+" whatever workbench.colorTheme said.
//
// code-server's own install scripts download ripgrep and refuse to run as root, so every
// package is installed with --ignore-scripts and only the native modules the server needs are
// rebuilt (against Node's own headers: npm's nodedir points at them on these machines).
// Idempotent: a marker file written at the very end makes later runs return at once.
//
// Usage: node scripts/install-test-host.mjs        (progress on stderr; prints the code-server folder)
//        import { ensureCodeServer } from './install-test-host.mjs'
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  writeFileSync,
  readFileSync,
  rmSync,
  symlinkSync,
  copyFileSync,
  chmodSync,
  lstatSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CODE_SERVER_VERSION = '4.100.3';
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const installDir = process.env.PROC_MEMORY_TEST_HOST_DIR
  ? resolve(process.env.PROC_MEMORY_TEST_HOST_DIR)
  : join(
      process.env.XDG_CACHE_HOME || join(homedir(), '.cache'),
      'proc-memory-test-host',
      `code-server-${CODE_SERVER_VERSION}`,
    );
/** The folder holding out/node/entry.js. */
export const codeServerDir = join(installDir, 'node_modules', 'code-server');
const marker = join(installDir, '.installed');
// Bump when the steps below change, so existing installs are redone.
const RECIPE = 2;
const markerText = `${CODE_SERVER_VERSION} recipe ${RECIPE}`;

// CHROMIUM_PATH: where the browser is not Debian's (Ubuntu's chromium is a snap: /snap/bin/chromium).
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const RIPGREP = '/usr/bin/rg';
const APT_HINT =
  'apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium ripgrep python3-debugpy lldb-15 g++ make python3';

function run(cmd, args, cwd, extraEnv = {}) {
  const started = Date.now();
  log(`(${cwd.replace(installDir, '<install>')}) ${cmd} ${args.join(' ')}`);
  const result = spawnSync(cmd, args, {
    cwd,
    // Everything on stderr: stdout carries only the final path (test/host/codeServer.ts reads it).
    stdio: ['ignore', process.stderr, process.stderr],
    env: { ...process.env, ...extraEnv },
  });
  if (result.error) {
    throw result.error;
  }
  if (result.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed in ${cwd} with exit code ${result.status}`);
  }
  log(`  done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

function log(message) {
  console.error(`[test-host] ${message}`);
}

/** Throws with the exact apt-get command when a system program the tests need is missing. */
export function checkSystemPrograms() {
  const missing = [CHROMIUM, RIPGREP].filter((p) => !existsSync(p));
  if (missing.length > 0) {
    throw new Error(`Missing ${missing.join(', ')}. Install the test prerequisites (as root):\n  ${APT_HINT}`);
  }
}

/** True when the marker of a complete install at this version is present. */
export function isInstalled() {
  return (
    existsSync(marker) &&
    readFileSync(marker, 'utf8').trim() === markerText &&
    existsSync(join(codeServerDir, 'out', 'node', 'entry.js'))
  );
}

/**
 * Installs code-server once (about 1.5 minutes on 2 cores) and returns the absolute path of the
 * code-server folder (the one with out/node/entry.js). Later calls return at once.
 * @returns {Promise<string>}
 */
export async function ensureCodeServer() {
  checkSystemPrograms();
  if (isInstalled()) {
    return codeServerDir;
  }

  const started = Date.now();
  log(`installing code-server ${CODE_SERVER_VERSION} into ${installDir}`);
  // A half-finished earlier attempt is not trusted: start clean.
  rmSync(installDir, { recursive: true, force: true });
  mkdirSync(installDir, { recursive: true });
  // A package.json of its own, so npm installs here instead of walking up to the extension's.
  writeFileSync(
    join(installDir, 'package.json'),
    JSON.stringify(
      {
        name: 'proc-memory-test-host',
        private: true,
        description: 'code-server for the tests; not part of the extension',
      },
      null,
      2,
    ) + '\n',
  );

  run(
    'npm',
    ['install', '--no-save', '--ignore-scripts', '--no-audit', '--no-fund', `code-server@${CODE_SERVER_VERSION}`],
    installDir,
  );

  const vscodeDir = join(codeServerDir, 'lib', 'vscode');
  run('npm', ['install', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'], vscodeDir);
  // node-pty's build script calls `npx node-gyp`, which asks before installing: say yes.
  // kerberos stays unbuilt: only proxy authentication uses it.
  run('npm', ['rebuild', 'node-pty', '@vscode/spdlog', 'native-watchdog'], vscodeDir, { npm_config_yes: 'true' });
  run('npm', ['rebuild', 'argon2'], installDir);

  // The built-in extensions share one dependency: TypeScript, for the JS/TS language features
  // (without it they log "Could not find bundled tsserver.js"). Pinned to what 1.100 ships.
  run(
    'npm',
    ['install', '--no-save', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', 'typescript@5.8.3'],
    join(vscodeDir, 'extensions'),
  );

  // The server loads its modules through node_modules.asar (as the desktop build does).
  const asar = join(vscodeDir, 'node_modules.asar');
  if (!existsSync(asar) && !isSymlink(asar)) {
    symlinkSync('node_modules', asar);
  }

  // Search (quick open, find in files) needs ripgrep where @vscode/ripgrep would have put it.
  const rgDir = join(vscodeDir, 'node_modules', '@vscode', 'ripgrep', 'bin');
  mkdirSync(rgDir, { recursive: true });
  copyFileSync(RIPGREP, join(rgDir, 'rg'));
  chmodSync(join(rgDir, 'rg'), 0o755);

  writeFileSync(marker, markerText + '\n');
  log(`code-server ${CODE_SERVER_VERSION} installed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return codeServerDir;
}

function isSymlink(path) {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    console.log(await ensureCodeServer());
  } catch (error) {
    log(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
}
