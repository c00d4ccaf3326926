import * as assert from 'assert';
import { describeState, formatBytes, formatDelta, formatRate } from '../../shared/format';
import { KiB, MiB, GiB } from '../../shared/units';

describe('format', () => {
  describe('formatBytes', () => {
    it('prints the examples of its documentation', () => {
      assert.strictEqual(formatBytes(412.3 * MiB), '412.3 MiB');
      assert.strictEqual(formatBytes(1.21 * GiB), '1.21 GiB');
      assert.strictEqual(formatBytes(0), '0 B');
    });

    // The doc comment of formatBytes and the issue both give `812 KiB`; the code prints
    // "812.0 KiB" (one decimal for every value >= 100 in any unit above bytes).
    it('prints 812 KiB as "812 KiB", as its documentation says', () => {
      assert.strictEqual(formatBytes(812 * KiB), '812 KiB');
    });

    it('keeps bytes whole and switches unit at 1024', () => {
      assert.strictEqual(formatBytes(1), '1 B');
      assert.strictEqual(formatBytes(1023), '1023 B');
      assert.strictEqual(formatBytes(1024 * MiB), '1.00 GiB');
      assert.strictEqual(formatBytes(42 * MiB), '42.0 MiB');
      assert.strictEqual(formatBytes(1.25 * MiB), '1.25 MiB');
      assert.strictEqual(formatBytes(3 * 1024 * GiB), '3.00 TiB');
    });

    it('signs negative values and stops at the largest unit', () => {
      assert.strictEqual(formatBytes(-1.25 * MiB), '-1.25 MiB');
      assert.strictEqual(formatBytes(2048 * 1024 ** 5), '2048.0 PiB');
    });

    it('prints a dash for values that are not numbers', () => {
      assert.strictEqual(formatBytes(NaN), '–');
      assert.strictEqual(formatBytes(Infinity), '–');
      assert.strictEqual(formatBytes(-Infinity), '–');
    });
  });

  describe('formatDelta', () => {
    it('shows the sign and ±0 for no change', () => {
      assert.strictEqual(formatDelta(0), '±0 B');
      assert.strictEqual(formatDelta(42 * MiB), '+42.0 MiB');
      assert.strictEqual(formatDelta(-1.25 * MiB), '-1.25 MiB');
      assert.strictEqual(formatDelta(5), '+5 B');
    });
  });

  describe('formatRate', () => {
    it('is a delta per minute, rounded to whole bytes', () => {
      assert.strictEqual(formatRate(42 * MiB), '+42.0 MiB/min');
      assert.strictEqual(formatRate(-1.25 * MiB), '-1.25 MiB/min');
      assert.strictEqual(formatRate(0), '±0 B/min');
      assert.strictEqual(formatRate(0.4), '±0 B/min'); // rounds to 0 bytes
      assert.strictEqual(formatRate(1.6), '+2 B/min');
      assert.strictEqual(formatRate(812.4 * MiB), '+812.4 MiB/min');
    });
  });

  describe('describeState', () => {
    it('turns ps state letters into words and keeps unknown letters', () => {
      assert.strictEqual(describeState('S'), 'sleeping');
      assert.strictEqual(describeState('Z'), 'zombie');
      assert.strictEqual(describeState('t'), 'stopped by debugger');
      assert.strictEqual(describeState('I'), 'idle');
      assert.strictEqual(describeState('?'), '?');
    });
  });
});
