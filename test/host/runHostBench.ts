/**
 * `npm run bench:host`: runs test/hostBench (host work per visible sample, see its index.ts) inside
 * the extension host of code-server, like the integration suite. Builds nothing: the npm script
 * builds first.
 */
import * as path from 'node:path';
import { repoRoot } from './codeServer';
import { runIntegration } from './runIntegration';

/**
 * Room for every case: each CPU case takes two settles and two or three windows (a third when the
 * idle window had a major GC, or for the debug view), each run of it; a full run at 45 s windows
 * outlasted a fixed 30 minutes.
 */
function timeoutMs(cases: string | undefined): number {
  const others = 20 * 60_000;
  if (cases !== undefined && !cases.split(',').includes('cpu')) {
    return others;
  }
  const windowMs = Number(process.env.HOST_BENCH_WINDOW_S ?? 45) * 1000;
  const repeats = Math.max(1, Number(process.env.HOST_BENCH_REPEAT ?? 1));
  // The profiles idle and in the case, the allocations, the system calls idle and in the case: a window each.
  const extraWindows =
    (process.env.HOST_BENCH_PROFILE === '1' ? 3 : 0) + (process.env.HOST_BENCH_STRACE === '1' ? 2 : 0);
  // 11 host cases at 1000 ms, 10 at 250 ms, the debug view, and the machine's floors (two windows at
  // each interval) as two more.
  const cpuCases = 24;
  return others + cpuCases * (repeats * (3 * windowMs + 2 * 20_000) + extraWindows * windowMs);
}

async function main(): Promise<number> {
  const extensionTestsPath = path.join(repoRoot, 'out', 'test', 'hostBench');
  const viewport = { width: 2560, height: 1440 };
  // The remote extension host polls for listening ports (it spawns a process every few seconds to
  // auto-forward them): code-server's own cost, and its bursts would drown ours in the CPU windows.
  const settings = { 'remote.autoForwardPorts': false, 'remote.autoForwardPortsSource': 'output' };
  const cases = process.env.HOST_BENCH_CASES;
  if (cases === undefined || cases.split(',').includes('cpu')) {
    // First the workbench without Proc Memory (only the test adapters' tiny extension), to show
    // code-server's own share of the idle host.
    const without = await runIntegration({
      extensionDevelopmentPath: path.join(repoRoot, 'test', 'debugAdapters'),
      extensionTestsPath,
      timeoutMs: 300_000,
      viewport,
      settings,
      env: { HOST_BENCH_WITHOUT_EXTENSION: '1' },
    });
    if (without.exitCode !== 0) {
      return without.exitCode;
    }
  }
  const result = await runIntegration({ extensionTestsPath, timeoutMs: timeoutMs(cases), viewport, settings });
  console.log(
    `host bench: exit=${result.exitCode}${result.timedOut ? ' (timed out)' : ''} in ${(result.durationMs / 1000).toFixed(1)} s`,
  );
  return result.exitCode;
}

void main().then((code) => process.exit(code));
