/**
 * `npm run bench:host`: runs test/hostBench (host work per visible sample, see its index.ts) inside
 * the extension host of code-server, like the integration suite. Builds nothing: the npm script
 * builds first.
 */
import * as path from 'node:path';
import { repoRoot } from './codeServer';
import { runIntegration } from './runIntegration';

void runIntegration({
  extensionTestsPath: path.join(repoRoot, 'out', 'test', 'hostBench'),
  timeoutMs: 900_000,
  viewport: { width: 2560, height: 1440 },
}).then((result) => {
  console.log(
    `host bench: exit=${result.exitCode}${result.timedOut ? ' (timed out)' : ''} in ${(result.durationMs / 1000).toFixed(1)} s`,
  );
  process.exit(result.exitCode);
});
