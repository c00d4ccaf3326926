import { QUIET_MESSAGE_MS } from '../../shared/protocol/quietMessages';

/** After the user asked for something (Read now), every reading goes for this long. */
export const EAGER_MS = 5000;

/**
 * Which readings a visible view is sent. Each message costs the host a round trip to the workbench
 * however small (bench:host's floor), so a reading with nothing new for the page waits, up to
 * QUIET_MESSAGE_MS after the last one sent. The next message says until when nothing changed, so
 * the page draws the quiet stretch flat and a change after it as the step it was.
 */
export class QuietReadings {
  /** The reading time of the last reading sent; undefined until one is (a new page hears the next at once). */
  private sentAtMs: number | undefined;
  /** The last reading since that was held back. */
  private heldUntilMs: number | undefined;
  /** Until then (wall clock) every reading is sent: the user asked for something and waits for it. */
  private eagerUntilMs = 0;

  constructor(private readonly now: () => number = () => Date.now()) {}

  /**
   * Whether the reading taken at `timeMs` goes to the page. `news`: the page would learn something
   * from it but that time passed. When it goes, `heldUntilMs` is the last reading held back before it.
   */
  take(timeMs: number, news: boolean): { send: false } | { send: true; heldUntilMs?: number } {
    const quiet =
      !news &&
      this.sentAtMs !== undefined &&
      this.now() >= this.eagerUntilMs &&
      timeMs - this.sentAtMs < QUIET_MESSAGE_MS;
    if (quiet) {
      this.heldUntilMs = timeMs;
      return { send: false };
    }
    const heldUntilMs = this.heldUntilMs;
    this.sentAtMs = timeMs;
    this.heldUntilMs = undefined;
    return heldUntilMs === undefined ? { send: true } : { send: true, heldUntilMs };
  }

  /** Sends every reading for EAGER_MS from now (Read now: its rows must come at once). */
  sendEverything(): void {
    this.eagerUntilMs = this.now() + EAGER_MS;
  }

  /** The view got everything up to the reading at `timeMs` another way (all its rows at once): quiet from there. */
  told(timeMs: number): void {
    this.sentAtMs = timeMs;
    this.heldUntilMs = undefined;
  }

  /** The page starts over (loaded, or shown again): it hears the next reading at once. */
  restart(): void {
    this.sentAtMs = undefined;
    this.heldUntilMs = undefined;
  }
}
