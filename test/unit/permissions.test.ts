// errno mapping, and permission denied for real: a child running as `nobody` reads root's processes.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { execFileSync } from 'child_process';
import { describeProcError, ProcError } from '../../src/proc/outcome';
import { errnoToProcError, readProcText } from '../../src/proc/procFile';
import { COMPILED_PROC, ERROR_KINDS, expectError, expectOk, killAllChildren, startSleep } from './helpers';
import { skipBecause } from '../skip';

function errnoError(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: test`), { code });
}

describe('errors and permissions', function () {
  this.timeout(15000);
  after(killAllChildren);

  describe('errnoToProcError', () => {
    it('maps ENOENT and ESRCH to gone, EACCES and EPERM to permission-denied', () => {
      assert.deepStrictEqual(errnoToProcError(errnoError('ENOENT'), '/proc/9/statm'), {
        kind: 'gone',
        detail: '/proc/9/statm',
      });
      assert.deepStrictEqual(errnoToProcError(errnoError('ESRCH'), '/proc/9/statm'), {
        kind: 'gone',
        detail: '/proc/9/statm',
      });
      assert.deepStrictEqual(errnoToProcError(errnoError('EACCES'), '/proc/1/smaps_rollup'), {
        kind: 'permission-denied',
        detail: '/proc/1/smaps_rollup',
      });
      assert.deepStrictEqual(errnoToProcError(errnoError('EPERM'), '/proc/1/smaps_rollup'), {
        kind: 'permission-denied',
        detail: '/proc/1/smaps_rollup',
      });
    });

    it('maps anything else to io-error, naming the code and the path', () => {
      assert.deepStrictEqual(errnoToProcError(errnoError('EIO'), '/proc/self/mem'), {
        kind: 'io-error',
        detail: 'EIO reading /proc/self/mem',
      });
      assert.strictEqual(errnoToProcError(undefined, 'p').kind, 'io-error');
      assert.strictEqual(errnoToProcError(null, 'p').kind, 'io-error');
      assert.strictEqual(errnoToProcError('a string', 'p').kind, 'io-error');
      assert.ok(errnoToProcError(new Error('no code'), 'p').detail?.includes('no code'));
    });
  });

  describe('readProcText', () => {
    it('maps real errors: a missing file is gone, a directory and /proc/self/mem are io-errors', () => {
      expectError(readProcText('/proc/999999999/statm'), 'gone');
      assert.ok(expectError(readProcText('/proc'), 'io-error').detail?.includes('EISDIR'));
      assert.ok(expectError(readProcText('/proc/self/mem'), 'io-error').detail?.includes('EIO'));
    });

    it('reads files larger than its buffer, with multi-byte characters across the chunk edges', () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'proc-memory-read-'));
      try {
        const file = path.join(dir, 'big');
        // 'é' is 2 bytes and '€' 3 bytes in UTF-8: at 300 KiB some straddle every 64 KiB edge.
        const text = 'aé€\n'.repeat((300 * 1024) / 7);
        fs.writeFileSync(file, text);
        assert.strictEqual(expectOk(readProcText(file)), text);
        // Reading a small file afterwards still works with the grown buffer.
        fs.writeFileSync(file, 'small');
        assert.strictEqual(expectOk(readProcText(file)), 'small');
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it('reads a real /proc file bigger than 64 KiB (/proc/self/smaps)', () => {
      const smaps = expectOk(readProcText('/proc/self/smaps'));
      assert.ok(smaps.length > 64 * 1024, `smaps is ${smaps.length} bytes`);
      assert.ok(/^Rss:\s+\d+ kB$/m.test(smaps));
    });
  });

  describe('describeProcError', () => {
    it('has a sentence for every kind', () => {
      const sentences = new Set<string>();
      for (const kind of ERROR_KINDS) {
        const sentence = describeProcError({ kind, detail: 'xyz' } as ProcError);
        assert.ok(sentence.length > 10, `${kind}: ${sentence}`);
        if (kind === 'malformed' || kind === 'unsupported' || kind === 'io-error') {
          assert.ok(sentence.includes('xyz'), `${kind} names the detail: ${sentence}`);
        }
        sentences.add(sentence);
      }
      assert.strictEqual(sentences.size, ERROR_KINDS.length, 'one distinct sentence per kind');
    });
  });

  describe('as user nobody (setpriv), reading root processes', () => {
    interface NobodyReport {
      uid: number;
      sampleOk: boolean;
      resBytes?: number;
      rollup?: unknown;
      rawRollup: unknown;
      chmodded: unknown;
      childRollup: unknown;
      mappings: unknown;
      tableRows: number;
    }

    let report: NobodyReport;

    before(function () {
      const setpriv = ['/usr/bin/setpriv', '/bin/setpriv'].find((candidate) => fs.existsSync(candidate));
      if (process.getuid?.() !== 0) {
        skipBecause(this, 'no-root', `running processes as nobody needs root (uid ${process.getuid?.()})`);
      }
      if (!setpriv) {
        skipBecause(this, 'no-setpriv', 'no /usr/bin/setpriv or /bin/setpriv');
      }
      const child = startSleep();
      // A file only root may read: as nobody, open() gets a real EACCES.
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'proc-memory-perm-'));
      const secret = path.join(dir, 'secret');
      fs.writeFileSync(secret, 'root only');
      fs.chmodSync(secret, 0o600);
      fs.chmodSync(dir, 0o755);
      // A copy of the compiled engine (src/proc and the shared/ it imports) that nobody can read
      // wherever the checkout lives (CI may keep it under a home directory closed to other users).
      const engine = path.join(dir, 'src', 'proc');
      for (const [from, to] of [
        [COMPILED_PROC, engine],
        [path.join(COMPILED_PROC, '..', '..', 'shared'), path.join(dir, 'shared')],
      ]) {
        fs.mkdirSync(to, { recursive: true });
        for (const file of fs.readdirSync(from).filter((name) => name.endsWith('.js'))) {
          fs.copyFileSync(path.join(from, file), path.join(to, file));
        }
      }
      const script = `
        const dir = process.argv[1];
        const { sampleProcess } = require(dir + '/sampleProcess.js');
        const { readProcText } = require(dir + '/procFile.js');
        const { scanProcessTable } = require(dir + '/processTable.js');
        const sample = sampleProcess(1, { detail: true, mappings: true });
        const child = sampleProcess(Number(process.argv[2]), { detail: true });
        const table = scanProcessTable();
        console.log(JSON.stringify({
          uid: process.getuid(),
          sampleOk: sample.ok,
          resBytes: sample.ok ? sample.value.resBytes : undefined,
          rollup: sample.ok ? sample.value.rollup : sample.error,
          rawRollup: readProcText('/proc/1/smaps_rollup'),
          chmodded: readProcText(process.argv[3]),
          childRollup: child.ok ? child.value.rollup : child.error,
          mappings: sample.ok ? sample.value.mappings : sample.error,
          tableRows: table.ok ? table.value.length : -1,
        }));
      `;
      const asNobody = (args: string[]) =>
        execFileSync(setpriv, ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, ...args], {
          encoding: 'utf8',
        });
      try {
        try {
          asNobody(['-e', '0']);
        } catch (error) {
          skipBecause(this, 'setpriv-failed', `setpriv could not run node as nobody (${String(error).split('\n')[0]})`);
        }
        // From here on a failure is the engine's, not the environment's: no skip.
        report = JSON.parse(asNobody(['-e', script, engine, String(child.pid), secret])) as NobodyReport;
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it('really runs as nobody', () => {
      assert.notStrictEqual(report.uid, 0);
    });

    it('still samples PID 1 (stat, statm and status are world-readable)', () => {
      assert.strictEqual(report.sampleOk, true);
      assert.ok((report.resBytes ?? 0) > 0);
    });

    it('gets permission-denied for smaps_rollup of root processes, as an outcome, not a crash', () => {
      assert.deepStrictEqual(report.rollup, {
        ok: false,
        error: { kind: 'permission-denied', detail: '/proc/1/smaps_rollup' },
      });
      assert.deepStrictEqual(report.rawRollup, {
        ok: false,
        error: { kind: 'permission-denied', detail: '/proc/1/smaps_rollup' },
      });
      assert.strictEqual((report.childRollup as { error: { kind: string } }).error.kind, 'permission-denied');
    });

    it('gets permission-denied for smaps of root processes (and no crash reading /proc/1/exe)', () => {
      assert.deepStrictEqual(report.mappings, {
        ok: false,
        error: { kind: 'permission-denied', detail: '/proc/1/smaps' },
      });
    });

    it('gets permission-denied for a file mode 0600 owned by root (EACCES from open)', () => {
      assert.strictEqual((report.chmodded as { error: { kind: string } }).error.kind, 'permission-denied');
    });

    it('can still list the process table', () => {
      assert.ok(report.tableRows > 3, `${report.tableRows} rows`);
    });
  });
});
