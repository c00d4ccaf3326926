/**
 * `npm run soak [-- MINUTES]`: runs test/soak (see its index.ts) inside the extension host of
 * code-server, like the integration suite. Builds nothing: the npm script builds first.
 */
import * as path from 'node:path';
import { repoRoot } from './codeServer';
import { runIntegration } from './runIntegration';

const minutes = Number(process.argv[2] ?? 30);
if (!Number.isFinite(minutes) || minutes < 1) {
  console.error(`npm run soak -- MINUTES: expected a number of minutes, got ${process.argv[2]}`);
  process.exit(2);
}
void runIntegration({
  extensionTestsPath: path.join(repoRoot, 'out', 'test', 'soak'),
  timeoutMs: (minutes + 5) * 60_000,
  env: { PROC_MEMORY_SOAK_MINUTES: String(minutes) },
  viewport: { width: 1920, height: 1080 },
}).then((result) => {
  console.log(
    `soak: exit=${result.exitCode}${result.timedOut ? ' (timed out)' : ''} in ${(result.durationMs / 60000).toFixed(1)} min`,
  );
  process.exit(result.exitCode);
});
