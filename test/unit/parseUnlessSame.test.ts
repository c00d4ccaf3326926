// smaps and smaps_rollup read again as they read last time give the last result, the same object
// (src/proc/parseUnlessSame.ts): nothing parsed again, and every view finds it alike at once. Any
// byte that moved, or another executable, is a new parse with the new figures.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readSmapsRollup } from '../../src/proc/sampleProcess';
import { readSmaps } from '../../src/proc/smaps';
import { copiedFixtureProcess, expectOk, killAllChildren, rewriteFile, startGrowingNode } from './helpers';

describe('smaps and smaps_rollup parsed again only when they read differently', function () {
  this.timeout(10000);
  afterEach(() => killAllChildren());

  it('smaps: the same text and executable give the last summary; a moved Rss or another executable a new one', () => {
    const { procRoot, dir } = copiedFixtureProcess();
    try {
      const first = readSmaps(1234, procRoot);
      const rss = expectOk(first).categories.program.rssBytes;
      assert.equal(readSmaps(1234, procRoot, first), first, 'read alike: the same object');
      rewriteFile(dir, 'smaps', /^Rss:\s+8 kB$/m, 'Rss:                  12 kB');
      const grown = readSmaps(1234, procRoot, first);
      assert.notEqual(grown, first);
      assert.equal(expectOk(grown).categories.program.rssBytes, rss + 4096, 'the new Rss');
      fs.unlinkSync(path.join(dir, 'exe'));
      fs.symlinkSync('/usr/bin/another', path.join(dir, 'exe'));
      const moved = readSmaps(1234, procRoot, grown);
      assert.notEqual(moved, grown, 'another executable: parsed again');
      assert.equal(expectOk(moved).categories.program.rssBytes, 0, 'none of it is the program now');
    } finally {
      fs.rmSync(procRoot, { recursive: true, force: true });
    }
  });

  it('smaps_rollup: the same text gives the last figures; a moved Pss new ones', () => {
    const { procRoot, dir } = copiedFixtureProcess();
    try {
      const first = readSmapsRollup(1234, procRoot);
      assert.equal(readSmapsRollup(1234, procRoot, first), first);
      rewriteFile(dir, 'smaps_rollup', /^Pss:\s+181 kB$/m, 'Pss:                 185 kB');
      const moved = readSmapsRollup(1234, procRoot, first);
      assert.notEqual(moved, first);
      assert.equal(expectOk(moved).pss, 185 * 1024);
    } finally {
      fs.rmSync(procRoot, { recursive: true, force: true });
    }
  });

  it('a live process that allocates 64 MiB between two reads has it in both', async () => {
    const child = await startGrowingNode();
    const smaps = readSmaps(child.pid);
    const rollup = readSmapsRollup(child.pid);
    child.send('');
    await child.waitForLine('grown');
    const smapsAfter = readSmaps(child.pid, '/proc', smaps);
    const rollupAfter = readSmapsRollup(child.pid, '/proc', rollup);
    const rss = (outcome: typeof smaps) =>
      Object.values(expectOk(outcome).categories).reduce((sum, kind) => sum + kind.rssBytes, 0);
    assert.ok(rss(smapsAfter) - rss(smaps) >= 60 << 20, `smaps ${rss(smaps)} -> ${rss(smapsAfter)}`);
    assert.ok(expectOk(rollupAfter).rss - expectOk(rollup).rss >= 60 << 20, 'smaps_rollup');
  });
});
