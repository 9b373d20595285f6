import { Logger } from '@nestjs/common';
import type { SessionsRepository } from './sessions.repository.js';

/** Record use of a session at most this often (and well within the idle timeout). */
const MAX_TOUCH_INTERVAL_MS = 60_000;
/** Recorded uses wait at most this long to be written, in one batch. */
const MAX_FLUSH_DELAY_MS = 1_000;

/**
 * Use of sessions (`lastSeenAt`, for the idle timeout), recorded in memory at most every tenth of
 * the idle timeout (and every minute) and written in batches within a second, off the request
 * path, and at shutdown. A failed write is kept and retried, logged once until it works again.
 */
export class SessionUseRecorder {
  private readonly logger = new Logger('OtpModule');
  /** How often a session's use is recorded. */
  readonly intervalMs: number;
  private readonly flushDelayMs: number;
  /** Uses not written yet: session id -> epoch milliseconds. */
  private readonly pending = new Map<string, number>();
  /**
   * Uses recorded lately, written or not: a lookup that read its row just before a batch was
   * written still sees them. Kept `memoryMs`.
   */
  private readonly recent = new Map<string, number>();
  private readonly memoryMs: number;
  private timer?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();
  private failing = false;

  constructor(
    private readonly store: Pick<SessionsRepository, 'touch'>,
    idleTimeoutMs: number,
  ) {
    this.intervalMs = Math.min(MAX_TOUCH_INTERVAL_MS, idleTimeoutMs / 10);
    this.flushDelayMs = Math.min(MAX_FLUSH_DELAY_MS, this.intervalMs);
    this.memoryMs = Math.min(idleTimeoutMs, Math.max(2 * this.intervalMs, 10_000));
  }

  /** Records that a session was used at `now`; written within `flushDelayMs`. */
  record(sessionId: string, now: number): void {
    this.pending.set(sessionId, now);
    this.recent.set(sessionId, now);
    this.timer ??= setTimeout(() => void this.flush(), this.flushDelayMs).unref();
  }

  /** The latest use this instance recorded of a session, written or not. */
  latest(sessionId: string): number | undefined {
    return this.recent.get(sessionId);
  }

  /** Forgets a session that ended. */
  forget(sessionId: string): void {
    this.pending.delete(sessionId);
    this.recent.delete(sessionId);
  }

  /** Writes the uses recorded so far, in batches; one flush at a time. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.flushing = this.flushing.then(() => this.write());
    return this.flushing;
  }

  private async write(): Promise<void> {
    const now = Date.now();
    for (const [id, at] of this.recent) {
      // Forgotten only once written: a lookup reading before the write must still see it.
      if (now - at >= this.memoryMs && !this.pending.has(id)) this.recent.delete(id);
    }
    if (this.pending.size === 0) return;
    const batch = [...this.pending];
    this.pending.clear();
    // One time for the batch, its earliest: a use is never recorded later than it happened.
    const seen = Math.min(...batch.map(([, at]) => at));
    try {
      await this.store.touch(
        batch.map(([id]) => id),
        seen,
      );
      if (this.failing) this.logger.log('Session use is recorded again');
      this.failing = false;
    } catch (error) {
      for (const [id, at] of batch) if (!this.pending.has(id)) this.pending.set(id, at);
      if (!this.failing) {
        this.logger.warn(
          `Could not record session use (${(error as Error).name}); retrying in ${this.flushDelayMs} ms`,
        );
      }
      this.failing = true;
      this.timer ??= setTimeout(() => void this.flush(), this.flushDelayMs).unref();
    }
  }
}
