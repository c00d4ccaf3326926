/**
 * The integration suite under desktop VS Code via @vscode/test-electron, for contributors with
 * internet access (it downloads VS Code on first use; these machines and CI cannot, so `npm test`
 * runs the same suite in code-server instead: see runIntegration.ts).
 *
 *   npm run test:electron          (VSCODE_TEST_VERSION=stable to try the latest release)
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { repoRoot } from './codeServer';

async function main(): Promise<number> {
  const workspace = mkdtempSync(path.join(os.tmpdir(), 'proc-memory-ws-'));
  writeFileSync(path.join(workspace, 'README.txt'), 'Workspace of a Proc Memory integration test run.\n');
  try {
    // The lowest version engines.vscode allows, and the one code-server 4.100.3 embeds.
    const version = process.env.VSCODE_TEST_VERSION ?? '1.100.3';
    await runTests({
      version,
      // Outside the repository, like the code-server host: a VS Code whose built-in extensions sit
      // inside the single extension under development gets its theme from them (see
      // scripts/install-test-host.mjs).
      cachePath: path.join(
        process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'),
        'proc-memory-test-host',
        'vscode-electron',
      ),
      // The extension and the test-only one that contributes the debugpy and lldb-vscode debuggers.
      extensionDevelopmentPath: [repoRoot, path.join(repoRoot, 'test', 'debugAdapters')],
      extensionTestsPath: path.join(repoRoot, 'out', 'test', 'integration', 'index'),
      extensionTestsEnv: process.env.MOCHA_GREP ? { MOCHA_GREP: process.env.MOCHA_GREP } : undefined,
      launchArgs: [
        workspace,
        '--disable-extensions',
        '--disable-workspace-trust',
        '--skip-welcome',
        '--skip-release-notes',
      ],
    });
    return 0;
  } catch (error) {
    console.error(`[electron] ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    rmSync(workspace, { recursive: true, force: true });
  }
}

void main().then((code) => process.exit(code));
