import {
  MemoryRateLimitStorage,
  type RateLimitStorage,
  type RateVerdict,
  type RateWindow,
} from 'nestjs-otp';

/**
 * The rate-limit storage of test apps: the module's in-memory storage on a clock of the test's
 * (the emulator's, so that `advanceTime()` moves the windows too), which `reset()` replaces with
 * an empty one between two tests of one app.
 */
export class TestRateLimitStorage implements RateLimitStorage {
  private memory: MemoryRateLimitStorage;

  constructor(private readonly now: () => number) {
    this.memory = new MemoryRateLimitStorage(now);
  }

  hit(windows: readonly RateWindow[]): Promise<RateVerdict> {
    return this.memory.hit(windows);
  }

  undo(keys: readonly string[], hitId: string): Promise<void> {
    return this.memory.undo(keys, hitId);
  }

  clear(keys: readonly string[]): Promise<void> {
    return this.memory.clear(keys);
  }

  /** Forgets every attempt counted so far. */
  reset(): void {
    this.memory = new MemoryRateLimitStorage(this.now);
  }
}
