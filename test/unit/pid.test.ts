// The one PID check, for everything that hands us a PID from outside.
import * as assert from 'assert';
import { isPid, parsePid, PID_MAX } from '../../shared/pid';

describe('what a PID is', () => {
  it('an integer from 1 to 2^22', () => {
    assert.deepStrictEqual([1, 4242, PID_MAX].map(isPid), [true, true, true]);
    assert.deepStrictEqual(
      [0, -1, 1.5, PID_MAX + 1, NaN, Infinity, '42', null, undefined, {}].map(isPid),
      Array(10).fill(false),
    );
  });
  it('parsed from a number or a string of digits, nothing else', () => {
    assert.deepStrictEqual(['42', ' 42 ', 42, '4194304'].map(parsePid), [42, 42, 42, 4194304]);
    assert.deepStrictEqual(
      ['42abc', '-1', '0x10', '', '1e3', '4194305', 'x'.repeat(100), [42], true].map(parsePid),
      Array(9).fill(undefined),
    );
  });
});
