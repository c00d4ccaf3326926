/**
 * `npm run soak [-- MINUTES]`: runs test/soak (see its index.ts) inside the extension host of
 * code-server, like the integration suite, and reads the webviews' memory from the browser each
 * minute (webviewMemory.ts). Builds nothing: the npm script builds first.
 */
import * as path from 'node:path';
import { repoRoot } from './codeServer';
import { runIntegration } from './runIntegration';
import { WebviewMemoryMonitor } from './webviewMemory';

const minutes = Number(process.argv[2] ?? 30);
if (!Number.isFinite(minutes) || minutes < 1) {
  console.error(`npm run soak -- MINUTES: expected a number of minutes, got ${process.argv[2]}`);
  process.exit(2);
}
// The host's rule (test/soak/index.ts): history of MINUTES / 3, full one minute later.
const fullAfterMinute = Math.max(1, Math.floor(minutes / 3)) + 1;
let webviews: WebviewMemoryMonitor | undefined;
void runIntegration({
  extensionTestsPath: path.join(repoRoot, 'out', 'test', 'soak'),
  timeoutMs: (minutes + 5) * 60_000,
  env: { PROC_MEMORY_SOAK_MINUTES: String(minutes) },
  viewport: { width: 1920, height: 1080 },
  onWorkbench: (page) => {
    webviews = new WebviewMemoryMonitor(page, fullAfterMinute, (line) => console.log(line));
    webviews.start();
    return () => webviews!.stop();
  },
}).then((result) => {
  const exitCode = result.exitCode === 0 && webviews?.failed ? 1 : result.exitCode;
  console.log(
    `soak: exit=${exitCode}${result.timedOut ? ' (timed out)' : ''} in ${(result.durationMs / 60000).toFixed(1)} min`,
  );
  process.exit(exitCode);
});
