/**
 * Runs the integration suite (out/test/integration, whose index exports `run()`) inside the
 * extension host of a real VS Code 1.100.3: code-server, with the workbench opened in headless
 * Chromium. Builds nothing: run `npm run build && npm run compile-tests` first.
 *
 *   node out/test/host/runIntegration.js [workspaceFolder]
 *
 * Environment: INTEGRATION_TIMEOUT_MS (default 600000), INTEGRATION_VERBOSE=1 (every workbench log
 * line and browser console message), MOCHA_GREP (passed on to the extension host, where
 * test/integration/index.ts reads it), INTEGRATION_RPC_LOG=FILE (every RPC message between the
 * workbench and the extension host, a line each: its time, direction, length and method, with the
 * suite's own output lines among them as landmarks).
 * The logs of the last run (workbench, and under server/ code-server's and the remote extension
 * host's) are kept in test-results/integration-logs/.
 * Prints the suite's output, then `integration: passed=N failed=M exit=X`; exits with X.
 */
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { format } from 'node:util';
import type { Page } from 'playwright-core';
import { launchBrowser, BrowserSession } from './browser';
import { repoRoot, startCodeServer, workbenchUrl, CodeServer } from './codeServer';

export interface IntegrationOptions {
  /** Extension folder(s) under development; default the repository root. */
  extensionDevelopmentPath?: string | string[];
  /** Module exporting `run()`; default out/test/integration (its index.js). */
  extensionTestsPath?: string;
  /** Folder the workbench opens; default a fresh temporary folder (removed afterwards). */
  workspaceFolder?: string;
  /** Whole run, from server start to the exit call; default 10 minutes. */
  timeoutMs?: number;
  /** Extra user settings. */
  settings?: Record<string, unknown>;
  /** Extra environment for code-server and so the extension host. */
  env?: NodeJS.ProcessEnv;
  /** Show every workbench log line and browser console message; default INTEGRATION_VERBOSE=1. */
  verbose?: boolean;
  /** Receives every line worth showing; default process.stdout. */
  write?: (line: string) => void;
  /** The browser window; default VIEWPORT (test/host/browser.ts). */
  viewport?: { width: number; height: number };
  /**
   * Called once the workbench page is loading, to watch it from the browser's side (the soak reads
   * the webviews' memory); what it returns runs when the suite ends, before the browser closes.
   */
  onWorkbench?: (page: Page) => () => Promise<void>;
}

export interface IntegrationResult {
  /** 0 when the suite passed; the workbench's exit code otherwise; 1 on time-out or crash. */
  exitCode: number;
  /** From the suite's `INTEGRATION-RESULT` line; undefined when it never printed one. */
  passed?: number;
  failed?: number;
  pending?: number;
  timedOut: boolean;
  durationMs: number;
}

/** Workbench start-up chatter at info level: hidden unless verbose. */
const WORKBENCH_NOISE =
  /^(Resolving connection token|Resolved connection token|Creating a socket|\[Service Worker\]|Ignoring fetching additional builtin|Updating additional builtin|ChatSessionStore|Started local extension host|\[perf\])/;

/** The machine-readable line test/integration/index.ts prints when mocha ends. */
export const RESULT_LINE = /INTEGRATION-RESULT passed=(\d+) failed=(\d+)(?: pending=(\d+))?/;

export async function runIntegration(options: IntegrationOptions = {}): Promise<IntegrationResult> {
  const started = Date.now();
  const write = options.write ?? ((line: string) => process.stdout.write(line + '\n'));
  const timeoutMs = options.timeoutMs ?? Number(process.env.INTEGRATION_TIMEOUT_MS ?? 600_000);
  const ownWorkspace = options.workspaceFolder === undefined;
  const workspaceFolder = options.workspaceFolder ?? mkdtempSync(path.join(os.tmpdir(), 'proc-memory-ws-'));
  if (ownWorkspace) {
    writeFileSync(path.join(workspaceFolder, 'README.txt'), 'Workspace of a Proc Memory integration test run.\n');
  }

  const logsDir = path.join(repoRoot, 'test-results', 'integration-logs');
  rmSync(logsDir, { recursive: true, force: true });
  const verbose = options.verbose ?? process.env.INTEGRATION_VERBOSE === '1';
  const result: IntegrationResult = { exitCode: 1, timedOut: false, durationMs: 0 };
  let server: CodeServer | undefined;
  let session: BrowserSession | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopWatching: (() => Promise<void>) | undefined;
  try {
    const env: NodeJS.ProcessEnv = { ...options.env };
    if (process.env.MOCHA_GREP && env.MOCHA_GREP === undefined) {
      env.MOCHA_GREP = process.env.MOCHA_GREP;
    }
    server = await startCodeServer({
      folder: workspaceFolder,
      settings: options.settings,
      env,
      onOutput: (line) => {
        if (/error/i.test(line)) {
          write(`[code-server] ${line}`);
        }
      },
    });
    write(`[integration] code-server ${server.url} (pid ${server.pid}) ready in ${Date.now() - started} ms`);
    session = await launchBrowser(options.viewport ? { viewport: options.viewport } : undefined);
    const { page } = session;

    const exited = new Promise<number>((resolve) => {
      void page.exposeFunction(
        'codeAutomationExit',
        (code: number, logs?: { relativePath: string; contents: string }[]) => {
          if (logs?.length) {
            saveLogs(logs, logsDir);
          }
          resolve(typeof code === 'number' ? code : 1);
        },
      );
    });
    // The workbench's log service (and, while extension tests run, the extension host's console,
    // mocha's reporter included) arrives here with console.log-style arguments. The same lines
    // also reach the page console with a `%c INFO` prefix: those duplicates are skipped below.
    const rpcLog = process.env.INTEGRATION_RPC_LOG;
    await page.exposeFunction('codeAutomationLog', (level: string, args: unknown) => {
      const text = Array.isArray(args) ? format(...(args as unknown[])) : String(args);
      if (rpcLog) {
        appendFileSync(rpcLog, `${Date.now()} suite: ${text}\n`);
      }
      const match = RESULT_LINE.exec(text);
      if (match) {
        result.passed = Number(match[1]);
        result.failed = Number(match[2]);
        result.pending = match[3] === undefined ? undefined : Number(match[3]);
      }
      if (verbose) {
        write(`[${level}] ${text}`);
      } else if (level === 'error' || level === 'warn') {
        write(`[workbench ${level}] ${text}`);
      } else if (level === 'info' && !WORKBENCH_NOISE.test(text)) {
        write(text);
      }
    });
    page.on('console', (message) => {
      // "%c[Remote][Ext → Win]%c[total]%c[len:  123]%c   45 - receiveRequest MainThread...(": the
      // workbench's RPC logger; its arguments (colours, then the message's) are left out.
      const rpc =
        rpcLog &&
        /\]\[((?:Ext|Win) → (?:Ext|Win))\]%c\[\s*\d+\]%c\[len:\s*(\d+)\]%c\s*\d+ - (.*?)(?:\(| color:|$)/.exec(
          message.text(),
        );
      if (rpc) {
        appendFileSync(rpcLog, `${Date.now()} ${rpc[1]} ${rpc[2]} B ${rpc[3]}\n`);
        return;
      }
      // Lines from the log service are forwarded by codeAutomationLog already.
      if (!verbose || message.text().startsWith('%c')) {
        return;
      }
      write(`[browser ${message.type()}] ${message.text()}`);
    });
    page.on('pageerror', (error) => write(`[page error] ${error.message}`));

    const url = workbenchUrl(server, {
      folder: workspaceFolder,
      extensionDevelopmentPath: options.extensionDevelopmentPath ?? [
        repoRoot,
        path.join(repoRoot, 'test', 'debugAdapters'),
      ],
      extensionTestsPath: options.extensionTestsPath ?? path.join(repoRoot, 'out', 'test', 'integration'),
      logExtensionHostCommunication: rpcLog !== undefined,
    });
    await page.goto(url);
    stopWatching = options.onWorkbench?.(page);

    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), Math.max(0, timeoutMs - (Date.now() - started)));
    });
    const outcome = await Promise.race([exited, timedOut]);
    if (outcome === 'timeout') {
      result.timedOut = true;
      write(`[integration] timed out after ${timeoutMs} ms`);
    } else {
      result.exitCode = outcome;
    }
  } catch (error) {
    write(`[integration] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  } finally {
    if (timer) {
      clearTimeout(timer);
    }
    await stopWatching?.().catch((error) => write(`[integration] ${error}`));
    await session?.close();
    await server?.stop({ saveLogsTo: path.join(logsDir, 'server') });
    if (ownWorkspace) {
      rmSync(workspaceFolder, { recursive: true, force: true });
    }
  }
  // An exit code of 0 with failures (or without any result line) is not a pass.
  if (result.exitCode === 0 && (result.failed === undefined || result.failed > 0)) {
    result.exitCode = 1;
  }
  result.durationMs = Date.now() - started;
  return result;
}

/** Keeps the workbench's logs (extension host, server, renderer) of the last run for debugging. */
function saveLogs(logs: { relativePath: string; contents: string }[], dir: string): void {
  for (const log of logs) {
    const target = path.join(dir, log.relativePath.replace(/\.\.+/g, '_'));
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, log.contents);
  }
}

if (require.main === module) {
  void runIntegration({ workspaceFolder: process.argv[2] ? path.resolve(process.argv[2]) : undefined }).then(
    (result) => {
      console.log(
        `integration: passed=${result.passed ?? '?'} failed=${result.failed ?? '?'}` +
          `${result.pending ? ` pending=${result.pending}` : ''} exit=${result.exitCode}` +
          `${result.timedOut ? ' (timed out)' : ''} in ${(result.durationMs / 1000).toFixed(1)} s`,
      );
      process.exit(result.exitCode);
    },
  );
}
