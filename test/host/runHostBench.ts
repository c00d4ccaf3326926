/**
 * `npm run bench:host`: runs test/hostBench (host work per visible sample, see its index.ts) inside
 * the extension host of code-server, like the integration suite. Builds nothing: the npm script
 * builds first.
 */
import * as path from 'node:path';
import { repoRoot } from './codeServer';
import { runIntegration } from './runIntegration';

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
  const result = await runIntegration({ extensionTestsPath, timeoutMs: 1_800_000, viewport, settings });
  console.log(
    `host bench: exit=${result.exitCode}${result.timedOut ? ' (timed out)' : ''} in ${(result.durationMs / 1000).toFixed(1)} s`,
  );
  return result.exitCode;
}

void main().then((code) => process.exit(code));
