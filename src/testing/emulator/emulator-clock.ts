/**
 * The emulator's clock: a base clock (epoch milliseconds) plus an offset that
 * {@link EmulatorClock.advance} moves forward without waiting.
 */
export class EmulatorClock {
  private offset = 0;

  /** @param base The clock to read, `Date.now` unless a test gives its own. */
  constructor(private readonly base: () => number = Date.now) {}

  /** The current time on this clock, in epoch milliseconds. */
  now(): number {
    return this.base() + this.offset;
  }

  /**
   * Moves the clock forward by `ms`.
   * @throws RangeError if `ms` is negative or not finite.
   */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) {
      throw new RangeError(`advanceTime expects a non-negative number of ms, got ${ms}`);
    }
    this.offset += ms;
  }

  /** Sets the clock back to the base clock's present. */
  reset(): void {
    this.offset = 0;
  }
}
