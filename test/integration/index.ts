/**
 * Entry of the integration suite, loaded by VS Code inside the extension host (the
 * `extensionTestsPath` contract, the same for the code-server host in test/host/runIntegration.ts
 * and for @vscode/test-electron in test/host/runElectron.ts).
 *
 * Mocha with the BDD interface (describe/it); every out/test/integration/**\/*.test.js is loaded.
 * Ends by printing `INTEGRATION-RESULT passed=N failed=M pending=P`, which the runners parse.
 * MOCHA_GREP in the extension host's environment filters the tests by title.
 */
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

function findTests(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      files.push(...findTests(full));
    } else if (entry.isFile() && entry.name.endsWith('.test.js')) {
      files.push(full);
    }
  }
  return files.sort();
}

export function run(): Promise<void> {
  const mocha = new Mocha({
    ui: 'bdd',
    reporter: 'spec',
    color: false,
    timeout: 30_000,
    slow: 2_000,
  });
  if (process.env.MOCHA_GREP) {
    mocha.grep(process.env.MOCHA_GREP);
  }
  const files = findTests(__dirname);
  for (const file of files) {
    mocha.addFile(file);
  }

  return new Promise((resolve, reject) => {
    if (files.length === 0) {
      console.log('INTEGRATION-RESULT passed=0 failed=1 pending=0');
      reject(new Error(`no *.test.js files under ${__dirname}`));
      return;
    }
    try {
      const runner = mocha.run((failures) => {
        const stats = runner.stats;
        const passed = stats?.passes ?? 0;
        const failed = Math.max(failures, stats?.failures ?? 0);
        console.log(`INTEGRATION-RESULT passed=${passed} failed=${failed} pending=${stats?.pending ?? 0}`);
        if (failed > 0) {
          reject(new Error(`${failed} integration test(s) failed`));
        } else {
          resolve();
        }
      });
    } catch (error) {
      console.log('INTEGRATION-RESULT passed=0 failed=1 pending=0');
      reject(error instanceof Error ? error : new Error(String(error)));
    }
  });
}
