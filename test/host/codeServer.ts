/**
 * Starts the test host: code-server 4.100.3 (VS Code 1.100.3 server + web workbench), installed by
 * scripts/install-test-host.mjs. Its extension host is the Node "remote"
 * extension host, the one desktop VS Code uses for Remote-SSH, WSL and containers, so an extension
 * with `"extensionKind": ["workspace"]` runs there and reads this machine's /proc.
 *
 * Each start gets a free 127.0.0.1 port and fresh temporary user-data, extensions and config
 * folders; `stop()` ends the process group it started (by its PID) and removes them.
 */
import { spawn, spawnSync, ChildProcess } from 'node:child_process';
import {
  cpSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

/** The repository root: the nearest folder above this file whose package.json is proc-memory's. */
export const repoRoot: string = findRepoRoot(__dirname);

function findRepoRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'proc-memory') {
          return dir;
        }
      } catch {
        // not ours; keep walking up
      }
    }
    if (path.dirname(dir) === dir) {
      throw new Error(`no proc-memory package.json above ${start}`);
    }
  }
}

let installedCodeServerDir: string | undefined;

/**
 * Makes sure code-server is installed and returns the absolute path of its folder (the one with
 * out/node/entry.js). scripts/install-test-host.mjs owns the location (a cache folder outside the
 * repository; see there why) and installs it when missing, about 1.5 minutes the first time.
 */
export function ensureCodeServerInstalled(): string {
  if (installedCodeServerDir) {
    return installedCodeServerDir;
  }
  const result = spawnSync(process.execPath, [path.join(repoRoot, 'scripts', 'install-test-host.mjs')], {
    cwd: repoRoot,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const dir = result.stdout?.trim().split('\n').pop()?.trim();
  if (result.status !== 0 || !dir || !existsSync(path.join(dir, 'out', 'node', 'entry.js'))) {
    throw new Error(`installing the test host failed (exit code ${result.status}); see the messages above`);
  }
  installedCodeServerDir = dir;
  return dir;
}

export interface CodeServerOptions {
  /** Folder the workbench opens (passed to code-server; the workbench URL names it again). */
  folder?: string;
  /** Extra user settings, merged over the test defaults (e.g. `{ 'workbench.colorTheme': 'Default Light Modern' }`). */
  settings?: Record<string, unknown>;
  /** Port on 127.0.0.1; a free one when omitted. */
  port?: number;
  /** Receives each line code-server prints (it is always written to `logFile` too). */
  onOutput?: (line: string) => void;
  /**
   * Extra environment for code-server. Its extension host inherits it, so this is how variables
   * reach extension tests (the browser payload cannot carry any).
   */
  env?: NodeJS.ProcessEnv;
  /** Keep code-server's extension gallery (open-vsx) on; default off. */
  gallery?: boolean;
  /** How long to wait for `GET /` to answer; default 60 s. */
  startTimeoutMs?: number;
  /** `.vsix` files installed into the fresh extensions folder before the server starts, as a user installs them. */
  installExtensions?: readonly string[];
}

export interface CodeServer {
  /** `http://127.0.0.1:PORT` (no trailing slash). */
  readonly url: string;
  readonly port: number;
  /** `127.0.0.1:PORT`: the remote authority in `vscode-remote://` URIs. */
  readonly authority: string;
  readonly pid: number;
  /** Temporary folder holding user-data/, extensions/, config.yaml, code-server.log and xdg-data/. */
  readonly tempRoot: string;
  readonly userDataDir: string;
  readonly extensionsDir: string;
  readonly logFile: string;
  /**
   * Ends the process group started (SIGTERM, then SIGKILL after 5 s) and removes `tempRoot`.
   * With `saveLogsTo`, first copies the server's logs there (remote extension host log included).
   */
  stop(options?: { saveLogsTo?: string }): Promise<void>;
}

/** Settings every test workbench gets: no trust prompt, no welcome page, nothing phoning home. */
export const defaultTestSettings: Readonly<Record<string, unknown>> = {
  'security.workspace.trust.enabled': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'git.enabled': false,
  // F5 and the task picker ask every task provider; code-server's TypeScript one timed out on the
  // busy test machine ("Timed out getting tasks from typescript"), a console error of the
  // workbench's own. Tests run their own tasks (tasks.json or created), never detected ones.
  'typescript.tsc.autoDetect': 'off',
  'task.autoDetect': 'off',
};

/** Asks the kernel for a free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no port'))));
    });
  });
}

/** True when nothing listens on 127.0.0.1:port yet. */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function httpStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.setTimeout(2000, () => request.destroy(new Error('timeout')));
    request.once('error', reject);
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Starts code-server and resolves once `GET /` answers with its redirect to the workbench. */
export async function startCodeServer(options: CodeServerOptions = {}): Promise<CodeServer> {
  const csDir = ensureCodeServerInstalled();
  const port = options.port ?? (await freePort());
  const authority = `127.0.0.1:${port}`;
  const url = `http://${authority}`;

  const tempRoot = mkdtempSync(path.join(os.tmpdir(), 'proc-memory-cs-'));
  const userDataDir = path.join(tempRoot, 'user-data');
  const extensionsDir = path.join(tempRoot, 'extensions');
  const logFile = path.join(tempRoot, 'code-server.log');
  mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  writeFileSync(
    path.join(userDataDir, 'User', 'settings.json'),
    JSON.stringify({ ...defaultTestSettings, ...options.settings }, null, 2) + '\n',
  );

  const args = [
    // Ends code-server if this process dies without stop(): see parentWatch.ts.
    '--require',
    path.join(__dirname, 'parentWatch.js'),
    path.join(csDir, 'out', 'node', 'entry.js'),
    '--auth',
    'none',
    '--bind-addr',
    authority,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    // Its own config file, so nothing is written to ~/.config/code-server.
    '--config',
    path.join(tempRoot, 'config.yaml'),
    '--user-data-dir',
    userDataDir,
    '--extensions-dir',
    extensionsDir,
  ];
  if (options.folder) {
    args.push(options.folder);
  }

  // Variables of an enclosing VS Code (a terminal inside one) would send the server's CLI there.
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(VSCODE_|ELECTRON_)/.test(key) && key !== 'PASSWORD' && key !== 'HASHED_PASSWORD') {
      env[key] = value;
    }
  }
  // code-server writes its own logs under $XDG_DATA_HOME/code-server: keep them in tempRoot too.
  env.XDG_DATA_HOME = path.join(tempRoot, 'xdg-data');
  env.XDG_CONFIG_HOME = path.join(tempRoot, 'xdg-config');
  // No extension gallery (open-vsx): these machines cannot reach it, and a test must not depend on
  // it. An empty gallery config turns the marketplace off instead of failing lookups.
  if (!options.gallery) {
    env.EXTENSIONS_GALLERY = '{}';
  }
  Object.assign(env, options.env);
  env.PROC_MEMORY_TEST_PARENT_PID = String(process.pid);
  env.PROC_MEMORY_TEST_TEMP_ROOT = tempRoot;

  for (const vsix of options.installExtensions ?? []) {
    const installed = spawnSync(
      process.execPath,
      [
        path.join(csDir, 'out', 'node', 'entry.js'),
        '--user-data-dir',
        userDataDir,
        '--extensions-dir',
        extensionsDir,
        '--install-extension',
        vsix,
      ],
      {
        cwd: tempRoot,
        env,
        encoding: 'utf8',
        timeout: 120_000,
      },
    );
    if (installed.status !== 0) {
      rmSync(tempRoot, { recursive: true, force: true });
      throw new Error(
        `code-server --install-extension ${vsix} failed (${installed.status}): ${installed.stderr || installed.stdout}`,
      );
    }
  }

  const log = createWriteStream(logFile);
  // Its own process group, so stop() also ends the extension host and pty host it forks.
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: tempRoot,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const recent: string[] = [];
  const onData = (chunk: Buffer) => {
    log.write(chunk);
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line.trim()) {
        continue;
      }
      recent.push(line);
      if (recent.length > 40) {
        recent.shift();
      }
      options.onOutput?.(line);
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  let exited: number | null | undefined;
  const exitPromise = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = code ?? (signal ? -1 : null);
      resolve();
    }),
  );
  if (child.pid === undefined) {
    throw new Error('code-server did not start');
  }
  const pid = child.pid;

  let stopped = false;
  const stop = async (stopOptions: { saveLogsTo?: string } = {}) => {
    if (stopped) {
      return;
    }
    stopped = true;
    if (exited === undefined) {
      signalGroup(pid, 'SIGTERM');
      const ended = await Promise.race([exitPromise.then(() => true), sleep(5000).then(() => false)]);
      if (!ended) {
        signalGroup(pid, 'SIGKILL');
        await Promise.race([exitPromise, sleep(2000)]);
      }
    }
    // Children that outlived the server's own exit (extension host, pty host) share its group.
    signalGroup(pid, 'SIGKILL');
    await new Promise<void>((resolve) => log.end(resolve));
    if (stopOptions.saveLogsTo) {
      try {
        mkdirSync(stopOptions.saveLogsTo, { recursive: true });
        cpSync(logFile, path.join(stopOptions.saveLogsTo, 'code-server.log'));
        const logsDir = path.join(userDataDir, 'logs');
        if (existsSync(logsDir)) {
          cpSync(logsDir, path.join(stopOptions.saveLogsTo, 'server'), { recursive: true });
        }
      } catch {
        // logs are a courtesy; never fail a stop over them
      }
    }
    rmSync(tempRoot, { recursive: true, force: true, maxRetries: 3 });
  };

  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  for (;;) {
    if (exited !== undefined) {
      const tail = recent.join('\n');
      await stop();
      throw new Error(`code-server exited with ${exited} before it answered:\n${tail}`);
    }
    try {
      const status = await httpStatus(`${url}/`);
      if (status > 0 && status < 500) {
        break;
      }
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      const tail = recent.join('\n');
      await stop();
      throw new Error(`code-server did not answer on ${url} within ${options.startTimeoutMs ?? 60_000} ms:\n${tail}`);
    }
    await sleep(200);
  }

  return { url, port, authority, pid, tempRoot, userDataDir, extensionsDir, logFile, stop };
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is already gone
  }
}

export interface WorkbenchUrlOptions {
  /** Folder to open in the workbench. */
  folder?: string;
  /**
   * Extension folder(s) to load as under development. The web workbench keeps its payload in a
   * Map, so only one `extensionDevelopmentPath` entry survives; several paths are therefore
   * symlinked into one folder under the server's tempRoot, which VS Code scans as a folder of
   * extensions (a development path without package.json is scanned for extensions one level down).
   */
  extensionDevelopmentPath?: string | readonly string[];
  /** Module (folder with index.js, or file) exporting `run(): Promise<void>`; runs the tests then closes. */
  extensionTestsPath?: string;
  /** Skip the welcome page; default true. */
  skipWelcome?: boolean;
  /** VS Code's logExtensionHostCommunication: the workbench logs each RPC message to its console. */
  logExtensionHostCommunication?: boolean;
}

/** The remote URI the browser workbench uses for a path on the code-server machine. */
export function remoteUri(server: Pick<CodeServer, 'authority'>, absolutePath: string): string {
  return `vscode-remote://${server.authority}${path.resolve(absolutePath)}`;
}

/** Builds `http://127.0.0.1:PORT/?folder=...&payload=...` for `server`. */
export function workbenchUrl(
  server: Pick<CodeServer, 'url' | 'authority' | 'tempRoot'>,
  options: WorkbenchUrlOptions = {},
): string {
  const payload: [string, string][] = [];
  const devPaths =
    options.extensionDevelopmentPath === undefined
      ? []
      : typeof options.extensionDevelopmentPath === 'string'
        ? [options.extensionDevelopmentPath]
        : [...options.extensionDevelopmentPath];
  if (devPaths.length === 1) {
    payload.push(['extensionDevelopmentPath', remoteUri(server, devPaths[0])]);
  } else if (devPaths.length > 1) {
    payload.push(['extensionDevelopmentPath', remoteUri(server, linkDevelopmentPaths(server.tempRoot, devPaths))]);
  }
  if (options.extensionTestsPath) {
    payload.push(['extensionTestsPath', remoteUri(server, options.extensionTestsPath)]);
  }
  if (options.skipWelcome ?? true) {
    payload.push(['skipWelcome', 'true']);
  }
  if (options.logExtensionHostCommunication) {
    payload.push(['logExtensionHostCommunication', 'true']);
  }

  const query: string[] = [];
  if (options.folder) {
    query.push(`folder=${encodeURIComponent(path.resolve(options.folder))}`);
  }
  if (payload.length) {
    query.push(`payload=${encodeURIComponent(JSON.stringify(payload))}`);
  }
  return `${server.url}/${query.length ? '?' + query.join('&') : ''}`;
}

/** Makes `<tempRoot>/dev-extensions-N/` holding one symlink per extension folder; returns it. */
function linkDevelopmentPaths(tempRoot: string, devPaths: readonly string[]): string {
  for (let n = 0; ; n++) {
    const dir = path.join(tempRoot, `dev-extensions-${n}`);
    if (existsSync(dir)) {
      continue;
    }
    mkdirSync(dir, { recursive: true });
    devPaths.forEach((devPath, index) => {
      const absolute = path.resolve(devPath);
      if (!existsSync(path.join(absolute, 'package.json'))) {
        throw new Error(`no package.json in extension folder ${absolute}`);
      }
      symlinkSync(absolute, path.join(dir, `${index}-${path.basename(absolute)}`), 'dir');
    });
    return dir;
  }
}
