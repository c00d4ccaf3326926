#!/usr/bin/env node
// npm start: build the extension, then serve VS Code (code-server 4.100.3) on 127.0.0.1 with the
// extension loaded from this repository, and print the URL to open. Ctrl-C stops it and removes
// its temporary folders.
//
//   npm start                    opens the repository folder
//   npm start -- /some/folder    opens that folder
//   PORT=9000 npm start          another port (default 8080, or a free one when 8080 is taken)
//
// Rebuild with `npm run build` (or keep `npm run watch` running) and run "Developer: Reload
// Window" in the browser to load a new build.
import './ensure-dependencies.mjs';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ensureCodeServer, repoRoot } from './install-test-host.mjs';

const DEFAULT_PORT = 8080;

function portIsFree(port) {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
  });
}

function freePort() {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

async function waitForServer(url, child, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`code-server exited with ${child.exitCode}`);
    const status = await new Promise((done) => {
      const request = get(url, (response) => {
        response.resume();
        done(response.statusCode ?? 0);
      });
      request.setTimeout(2000, () => request.destroy());
      request.once('error', () => done(0));
    });
    if (status > 0 && status < 500) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`code-server did not answer on ${url} within ${timeoutMs / 1000} s`);
}

const folder = resolve(process.argv[2] ?? repoRoot);
if (!existsSync(folder)) {
  console.error(`No such folder: ${folder}`);
  process.exit(2);
}

let codeServerDir;
try {
  codeServerDir = await ensureCodeServer();
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}

console.log('[start] npm run build');
const build = spawnSync('npm', ['run', 'build'], { cwd: repoRoot, stdio: 'inherit' });
if (build.status !== 0) {
  console.error('[start] the build failed');
  process.exit(build.status ?? 1);
}

let port;
if (process.env.PORT) {
  port = Number(process.env.PORT);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    console.error(`PORT=${process.env.PORT} is not a port number`);
    process.exit(2);
  }
  if (!(await portIsFree(port))) {
    console.error(`Port ${port} on 127.0.0.1 is taken; choose another with PORT=...`);
    process.exit(1);
  }
} else {
  port = (await portIsFree(DEFAULT_PORT)) ? DEFAULT_PORT : await freePort();
}

const authority = `127.0.0.1:${port}`;
const tempRoot = mkdtempSync(join(tmpdir(), 'proc-memory-start-'));
const userDataDir = join(tempRoot, 'user-data');
mkdirSync(join(userDataDir, 'User'), { recursive: true });
writeFileSync(
  join(userDataDir, 'User', 'settings.json'),
  JSON.stringify({ 'security.workspace.trust.enabled': false, 'workbench.startupEditor': 'none', 'telemetry.telemetryLevel': 'off' }, null, 2) + '\n',
);

const env = { ...process.env, XDG_DATA_HOME: join(tempRoot, 'xdg-data'), XDG_CONFIG_HOME: join(tempRoot, 'xdg-config') };
for (const key of Object.keys(env)) if (/^(VSCODE_|ELECTRON_)/.test(key) || key === 'PASSWORD' || key === 'HASHED_PASSWORD') delete env[key];
// No marketplace unless asked for: these machines cannot reach open-vsx.
if (process.env.PROC_MEMORY_GALLERY !== '1') env.EXTENSIONS_GALLERY = '{}';

const child = spawn(
  process.execPath,
  [
    join(codeServerDir, 'out', 'node', 'entry.js'),
    '--auth', 'none',
    '--bind-addr', authority,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--config', join(tempRoot, 'config.yaml'),
    '--user-data-dir', userDataDir,
    '--extensions-dir', join(tempRoot, 'extensions'),
    folder,
  ],
  { cwd: tempRoot, env, detached: true, stdio: ['ignore', 'inherit', 'inherit'] },
);

let stopping = false;
async function stop(code) {
  if (stopping) return;
  stopping = true;
  console.log('\n[start] stopping code-server');
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    // already gone
  }
  const deadline = Date.now() + 5000;
  while (child.exitCode === null && child.signalCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
  rmSync(tempRoot, { recursive: true, force: true });
  process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));
child.on('exit', (code) => {
  if (!stopping) {
    console.error(`[start] code-server exited with ${code}`);
    void stop(code ?? 1);
  }
});

try {
  await waitForServer(`http://${authority}/`, child);
} catch (error) {
  console.error(`[start] ${error.message}`);
  await stop(1);
}

const payload = [['extensionDevelopmentPath', `vscode-remote://${authority}${repoRoot}`], ['skipWelcome', 'true']];
const url = `http://${authority}/?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
console.log(`
[start] VS Code with Proc Memory loaded from ${repoRoot}, folder ${folder}
[start] Open this URL (use 127.0.0.1 as written: the remote authority in it must match the address):

  ${url}

[start] Ctrl-C to stop.`);
