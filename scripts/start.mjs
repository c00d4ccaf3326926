#!/usr/bin/env node
// npm start: build the extension, then serve VS Code (code-server 4.100.3) on 127.0.0.1 with the
// extension loaded from this repository, and print the URL to open. Ctrl-C stops it and removes
// its temporary folders. It uses the same host as the tests (test/host/codeServer.ts).
//
//   npm start                    opens the repository folder
//   npm start -- /some/folder    opens that folder
//   PORT=9000 npm start          another port (default 8080, or a free one when 8080 is taken)
//
// Rebuild with `npm run build` (or keep `npm run watch` running) and run "Developer: Reload
// Window" in the browser to load a new build.
import './ensure-dependencies.mjs';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { ensureCodeServer, repoRoot } from './install-test-host.mjs';

const DEFAULT_PORT = 8080;

const folder = resolve(process.argv[2] ?? repoRoot);
if (!existsSync(folder)) {
  console.error(`No such folder: ${folder}`);
  process.exit(2);
}

try {
  await ensureCodeServer();
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}

for (const script of ['build', 'compile-tests']) {
  console.log(`[start] npm run ${script}`);
  const result = spawnSync('npm', ['run', script], { cwd: repoRoot, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`[start] npm run ${script} failed`);
    process.exit(result.status ?? 1);
  }
}

const { freePort, isPortFree, startCodeServer, workbenchUrl } = createRequire(import.meta.url)(
  '../out/test/host/codeServer.js',
);

let port = (await isPortFree(DEFAULT_PORT)) ? DEFAULT_PORT : await freePort();
if (process.env.PORT) {
  port = Number(process.env.PORT);
  if (!Number.isInteger(port) || port <= 0 || port > 65535 || !(await isPortFree(port))) {
    console.error(`PORT=${process.env.PORT} is not a free port on 127.0.0.1; choose another with PORT=...`);
    process.exit(1);
  }
}

const server = await startCodeServer({
  folder,
  port,
  onOutput: (line) => process.stdout.write(`[code-server] ${line}\n`),
});
let stopping = false;
async function stop() {
  if (!stopping) {
    stopping = true;
    console.log('\n[start] stopping code-server');
    await server.stop();
    process.exit(0);
  }
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());

const url = workbenchUrl(server, { folder, extensionDevelopmentPath: repoRoot });
console.log(`
[start] VS Code with Proc Memory loaded from ${repoRoot}, folder ${folder}
[start] Open this URL (use 127.0.0.1 as written: the remote authority in it must match the address):

  ${url}

[start] Ctrl-C to stop.`);
