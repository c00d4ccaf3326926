#!/usr/bin/env node
// npm test: every check, in order, going on after a failure:
//   typecheck, lint, build, unit (mocha, plain Node), webview (mocha in Node: the webviews in
//   Chromium with a fake host, test/webview/), integration (mocha inside the extension host
//   of a real VS Code: code-server + Chromium), ui (mocha in Node driving the workbench in Chromium).
// Prints each suite's own output, then a summary ending with the line
// `N passed, M failed, K skipped: NAMES`, each skipped test listed above it with its reason.
// Exits non-zero when anything failed, or, with CI=true, when a test skipped for a reason that is
// not on ALLOWED_SKIPS or that the reason's probe does not confirm on this machine.
//
//   npm test                      all suites
//   npm test -- unit integration  only these (build runs first whenever a test suite is chosen)
import './ensure-dependencies.mjs';
import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ensureCodeServer, repoRoot } from './install-test-host.mjs';

const require = createRequire(import.meta.url);
const mochaBin = require.resolve('mocha/bin/mocha.js');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

const ALL = ['typecheck', 'lint', 'build', 'unit', 'webview', 'integration', 'ui'];
const chosen = process.argv.slice(2);
for (const name of chosen) {
  if (!ALL.includes(name)) {
    console.error(`unknown suite "${name}"; choose from: ${ALL.join(', ')}`);
    process.exit(2);
  }
}
const wanted = new Set(chosen.length ? chosen : ALL);
if (['unit', 'webview', 'integration', 'ui'].some((name) => wanted.has(name))) {
  wanted.add('build');
}

/** @type {{ name: string, passed: number, failed: number, skipped: number, seconds: number, note?: string }[]} */
const results = [];
/** Every skipped test, from the `SKIP-REASON <reason> <title> :: <detail>` lines of test/skip.ts. */
/** @type {{ suite: string, reason: string, title: string, detail: string }[]} */
const skips = [];
/** Every failed test, with its first error line, repeated at the end where a log's tail shows it. */
/** @type {{ suite: string, text: string }[]} */
const failures = [];

/** Reads mocha's failure list (after "N failing": `  1) suite title` blocks): the title and the first line of the error of each. */
function collectFailures(suite, output) {
  const text = stripAnsi(output);
  const failing = [...text.matchAll(/^\s*\d+ failing\b/gm)].at(-1);
  if (!failing) {
    return;
  }
  const blocks = text
    .slice(failing.index + failing[0].length)
    .split(/^\s+\d+\) /m)
    .slice(1);
  for (const block of blocks) {
    const lines = block
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean);
    const errorAt = lines.findIndex((line) => /^\w*(Error|Exception)\b|^AssertionError|^Timeout|^expected/i.test(line));
    const title = (errorAt > 0 ? lines.slice(0, errorAt) : lines.slice(0, 2)).join(' ').slice(0, 300);
    const error = errorAt >= 0 ? lines[errorAt].slice(0, 300) : '';
    failures.push({ suite, text: error ? `${title} -- ${error}` : title });
  }
}

/** Whether a command is on PATH. */
function onPath(command) {
  return (process.env.PATH ?? '').split(':').some((dir) => dir && existsSync(join(dir, command)));
}

/**
 * The reasons a CI run accepts for a skip, each with a probe that confirms it on this machine: a
 * test that says "no root" while running as root is a broken test, not a skip.
 */
const ALLOWED_SKIPS = {
  'no-root': { why: 'not running as root', probe: () => process.getuid?.() !== 0 },
  'no-cgroup-v1-memory': {
    why: 'no cgroup v1 memory controller (a cgroup v2-only host)',
    probe: () =>
      !/^\d+:(?:[^:]*,)?memory(?:,[^:]*)?:/m.test(readFileSync('/proc/self/cgroup', 'utf8')) ||
      !existsSync('/sys/fs/cgroup/memory/memory.usage_in_bytes'),
  },
  'no-setpriv': { why: 'no setpriv (util-linux) on PATH', probe: () => !onPath('setpriv') },
  'no-kernel-threads-visible': {
    why: 'no kernel thread visible in /proc (a PID namespace)',
    probe: () =>
      !readdirSync('/proc')
        .filter((entry) => /^\d+$/.test(entry))
        .some((pid) => {
          try {
            const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
            return (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[6]) & 0x00200000) !== 0;
          } catch {
            return false;
          }
        }),
  },
  'ns-last-pid-not-writable': {
    why: '/proc/sys/kernel/ns_last_pid is not writable',
    probe: () => {
      try {
        accessSync('/proc/sys/kernel/ns_last_pid', constants.W_OK);
        return false;
      } catch {
        return true;
      }
    },
  },
};

/**
 * Reads the skip lines of a suite's output, and the pending tests mocha's spec reporter lists
 * (`  - title`) that printed none (a bare this.skip() or it.skip): those are named as unexplained.
 */
function collectSkips(suite, output) {
  const text = stripAnsi(output);
  const named = [];
  for (const match of text.matchAll(/^\s*SKIP-REASON (\S+) (.*?) :: (.*)$/gm)) {
    named.push({ suite, reason: match[1], title: match[2], detail: match[3] });
  }
  skips.push(...named);
  // Mocha lists pending tests before its summary; after it come the failures, whose diffs also
  // have lines starting with "- ", so only the part before the summary is read.
  const summary = [...text.matchAll(/^\s*\d+ passing\b/gm)].at(-1)?.index ?? text.length;
  for (const match of text.slice(0, summary).matchAll(/^\s+- (.+)$/gm)) {
    const title = match[1].trim();
    if (!named.some((skip) => skip.title.endsWith(title))) {
      skips.push({ suite, reason: 'unexplained', title, detail: 'skipped without skipBecause() from test/skip.ts' });
    }
  }
}

/**
 * Runs a command with its output shown as it comes, and returns the exit code and the output.
 * @returns {Promise<{ code: number, output: string }>}
 */
function run(command, args, env = {}) {
  return new Promise((resolve) => {
    console.log(`\n$ ${[command, ...args].join(' ')}`);
    const child = spawn(command, args, {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      process.stderr.write(chunk);
      output += chunk;
    });
    child.on('error', (error) => {
      output += String(error);
      resolve({ code: 127, output });
    });
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), output }));
  });
}

const ESC = String.fromCharCode(27);
const stripAnsi = (text) =>
  text
    .split(ESC)
    .map((part, i) => (i === 0 ? part : part.replace(/^\[[0-9;]*m/, '')))
    .join('');

/** Counts from mocha's summary lines ("N passing", "N failing", "N pending"). */
function mochaCounts(output) {
  const text = stripAnsi(output);
  const count = (word) => {
    const matches = [...text.matchAll(new RegExp(`^\\s*(\\d+) ${word}\\b`, 'gm'))];
    return matches.length ? Number(matches[matches.length - 1][1]) : undefined;
  };
  return { passed: count('passing'), failed: count('failing'), skipped: count('pending') };
}

/** One check that passes or fails as a whole (typecheck, lint, build). */
async function check(name, commands) {
  const started = Date.now();
  let ok = true;
  for (const [command, args] of commands) {
    const { code } = await run(command, args);
    if (code !== 0) {
      ok = false;
      break;
    }
  }
  results.push({ name, passed: ok ? 1 : 0, failed: ok ? 0 : 1, skipped: 0, seconds: (Date.now() - started) / 1000 });
}

/** A mocha run in plain Node; a crash before the summary counts as one failure. */
async function mochaSuite(name, args) {
  const started = Date.now();
  const { code, output } = await run(process.execPath, [mochaBin, '--reporter', 'spec', ...args]);
  collectSkips(name, output);
  collectFailures(name, output);
  const counts = mochaCounts(output);
  const passed = counts.passed ?? 0;
  let failed = counts.failed ?? 0;
  let note;
  if (code !== 0 && failed === 0) {
    failed = 1;
    note = `mocha exited with ${code}`;
  }
  if (code === 0 && passed === 0) {
    failed = 1;
    note = 'no test ran';
  }
  results.push({ name, passed, failed, skipped: counts.skipped ?? 0, seconds: (Date.now() - started) / 1000, note });
}

async function integrationSuite() {
  const started = Date.now();
  const { code, output } = await run(process.execPath, [join(repoRoot, 'out', 'test', 'host', 'runIntegration.js')]);
  collectSkips('integration', output);
  collectFailures('integration', output);
  const match = /^integration: passed=(\d+|\?) failed=(\d+|\?)(?: pending=(\d+))?/m.exec(stripAnsi(output));
  const passed = match && match[1] !== '?' ? Number(match[1]) : 0;
  let failed = match && match[2] !== '?' ? Number(match[2]) : 0;
  let note;
  if (code !== 0 && failed === 0) {
    failed = 1;
    note = `runner exited with ${code}`;
  }
  results.push({
    name: 'integration',
    passed,
    failed,
    skipped: match?.[3] ? Number(match[3]) : 0,
    seconds: (Date.now() - started) / 1000,
    note,
  });
}

/**
 * The webviews in Chromium under their real CSP, fed by a fake host (mocha, test/webview/, one file
 * per view; the pages and the fake host are webview/dev/): the states a live system will not
 * produce on demand (a malformed /proc file, a kernel thread, a figure the kernel refuses) are
 * checked here; the real host is covered by the integration and UI suites.
 */
async function webviewSuite() {
  if (!compiled) {
    cannotRun('webview', 'nothing compiled');
    return;
  }
  await mochaSuite('webview', ['--timeout', '120000', '--slow', '5000', 'out/test/webview/**/*.test.js']);
}

function hasTests(dir) {
  if (!existsSync(dir)) {
    return false;
  }
  return readdirSync(dir, { recursive: true }).some((file) => String(file).endsWith('.test.js'));
}

// The test host first: without it the integration and UI suites cannot run at all.
let hostError;
if (wanted.has('integration') || wanted.has('ui')) {
  try {
    await ensureCodeServer();
  } catch (error) {
    hostError = error instanceof Error ? error.message : String(error);
    console.error(`\n[test] test host unavailable: ${hostError}`);
  }
}

if (wanted.has('typecheck')) {
  await check('typecheck', [[npm, ['run', 'typecheck']]]);
}
if (wanted.has('lint')) {
  await check('lint', [[npm, ['run', 'lint']]]);
}
if (wanted.has('build')) {
  await check('build', [
    [npm, ['run', 'build']],
    [npm, ['run', 'compile-tests']],
  ]);
}
const built = results.find((r) => r.name === 'build')?.failed === 0;
// tsc still writes out/ on type errors, so a failed build does not stop the suites that can run.
const compiled = existsSync(join(repoRoot, 'out', 'test'));

function cannotRun(name, why) {
  console.error(`\n[test] ${name}: not run: ${why}`);
  results.push({ name, passed: 0, failed: 1, skipped: 0, seconds: 0, note: `not run: ${why}` });
}

if (wanted.has('unit')) {
  if (!compiled) {
    cannotRun('unit', 'nothing compiled');
  } else {
    await mochaSuite('unit', ['--timeout', '20000', 'out/test/unit/**/*.test.js']);
  }
}
if (wanted.has('webview')) {
  await webviewSuite();
}
if (wanted.has('integration')) {
  if (hostError) {
    cannotRun('integration', hostError.split('\n')[0]);
  } else if (!compiled || !existsSync(join(repoRoot, 'dist', 'extension.js'))) {
    cannotRun('integration', 'extension not built');
  } else {
    await integrationSuite();
  }
}
if (wanted.has('ui')) {
  if (hostError) {
    cannotRun('ui', hostError.split('\n')[0]);
  } else if (!compiled || !existsSync(join(repoRoot, 'dist', 'extension.js'))) {
    cannotRun('ui', 'extension not built');
  } else if (!hasTests(join(repoRoot, 'out', 'test', 'ui'))) {
    cannotRun('ui', 'no out/test/ui/**/*.test.js');
  } else {
    await mochaSuite('ui', ['--jobs', '1', '--timeout', '300000', '--slow', '15000', 'out/test/ui/**/*.test.js']);
  }
}
if (wanted.has('build') && !built) {
  console.error('\n[test] the build failed: later suites ran on whatever it produced');
}

// Every skip named; a skip without its reason line (a bare this.skip(), it.skip) is named by count.
for (const r of results) {
  const named = skips.filter((skip) => skip.suite === r.name).length;
  if (r.skipped > named) {
    skips.push({
      suite: r.name,
      reason: 'unexplained',
      title: `${r.skipped - named} test(s) skipped without skipBecause()`,
      detail: 'use skipBecause() from test/skip.ts',
    });
  }
}
if (process.env.CI === 'true') {
  for (const skip of skips) {
    const allowed = ALLOWED_SKIPS[skip.reason];
    let confirmed = false;
    try {
      confirmed = Boolean(allowed?.probe());
    } catch {
      confirmed = false;
    }
    if (!confirmed) {
      skip.failsCi = allowed
        ? `the probe for "${skip.reason}" says this machine is not in that state`
        : `"${skip.reason}" is not an allowed reason on CI`;
      const result = results.find((r) => r.name === skip.suite);
      if (result) {
        result.failed++;
        result.note = result.note?.includes('not allowed on CI')
          ? result.note
          : [result.note, 'a skip not allowed on CI'].filter(Boolean).join('; ');
      }
    }
  }
}

const total = results.reduce(
  (sum, r) => ({ passed: sum.passed + r.passed, failed: sum.failed + r.failed, skipped: sum.skipped + r.skipped }),
  { passed: 0, failed: 0, skipped: 0 },
);
console.log('\n== Summary');
for (const r of results) {
  const status = r.failed ? 'FAIL' : 'ok  ';
  const skipped = r.skipped ? `, ${r.skipped} skipped` : '';
  console.log(
    `${status} ${r.name.padEnd(12)} ${r.passed} passed, ${r.failed} failed${skipped}  (${r.seconds.toFixed(1)} s)${r.note ? `  ${r.note}` : ''}`,
  );
}
if (skips.length) {
  console.log('\n== Skipped');
  for (const skip of skips) {
    console.log(
      `${skip.failsCi ? 'FAIL' : 'skip'} ${skip.suite}: ${skip.title}: [${skip.reason}] ${skip.detail}${skip.failsCi ? ` (CI: ${skip.failsCi})` : ''}`,
    );
  }
}
if (failures.length) {
  console.log('\n== Failed');
  for (const failure of failures) {
    console.log(`FAIL ${failure.suite}: ${failure.text}`);
  }
}
const skippedCount = Math.max(total.skipped, skips.length);
console.log(
  `${total.passed} passed, ${total.failed} failed, ${skippedCount} skipped${skips.length ? `: ${skips.map((skip) => skip.title).join('; ')}` : ''}`,
);
process.exit(total.failed ? 1 : 0);
