import * as assert from 'node:assert/strict';
import { QUIET_MESSAGE_MS } from '../../shared/protocol/quietMessages';
import { EAGER_MS, QuietReadings } from '../../src/core/quietReadings';

describe('QuietReadings', () => {
  let wallMs = 0;
  const quiet = () => new QuietReadings(() => wallMs);

  it('sends the first reading, then holds back those without news, up to QUIET_MESSAGE_MS', () => {
    const readings = quiet();
    assert.deepEqual(readings.take(1000, false), { send: true });
    assert.deepEqual(readings.take(2000, false), { send: false });
    assert.deepEqual(readings.take(1000 + QUIET_MESSAGE_MS - 1, false), { send: false });
    // The next one goes, saying until when nothing changed.
    assert.deepEqual(readings.take(1000 + QUIET_MESSAGE_MS, false), {
      send: true,
      heldUntilMs: 1000 + QUIET_MESSAGE_MS - 1,
    });
    assert.deepEqual(readings.take(1000 + QUIET_MESSAGE_MS + 250, false), { send: false });
  });

  it('sends news at once, with the last reading held back before it', () => {
    const readings = quiet();
    readings.take(0, false);
    readings.take(250, false);
    readings.take(500, false);
    assert.deepEqual(readings.take(750, true), { send: true, heldUntilMs: 500 });
    // Nothing held back since: no flat stretch to draw.
    assert.deepEqual(readings.take(1000, true), { send: true });
  });

  it('sends everything for EAGER_MS after the user asked for something', () => {
    wallMs = 50_000;
    const readings = quiet();
    readings.take(0, false);
    readings.sendEverything();
    assert.deepEqual(readings.take(250, false), { send: true });
    wallMs += EAGER_MS - 1;
    assert.deepEqual(readings.take(400, false), { send: true });
    wallMs += 1;
    assert.deepEqual(readings.take(500, false), { send: false });
  });

  it('a page that starts over hears the next reading at once', () => {
    const readings = quiet();
    readings.take(0, false);
    assert.deepEqual(readings.take(250, false), { send: false });
    readings.restart();
    assert.deepEqual(readings.take(500, false), { send: true });
  });

  it('a view told everything another way is quiet from that reading on', () => {
    const readings = quiet();
    readings.take(0, false);
    readings.take(250, false);
    const toldAt = QUIET_MESSAGE_MS + 1000; // later than the quiet time after the last message
    readings.told(toldAt);
    assert.deepEqual(
      readings.take(toldAt + 250, false),
      { send: false },
      'timed from what it was told, not the last sample',
    );
    assert.deepEqual(readings.take(toldAt + QUIET_MESSAGE_MS, false), { send: true, heldUntilMs: toldAt + 250 });
  });
});
