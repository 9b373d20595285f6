import { maxSendAttempts, tooManyRequests } from './twilio-api.error.js';
import {
  MAX_SENDS,
  SEND_WINDOW_MS,
  STATUS_FETCH_LIMITS,
  STATUS_FETCH_WINDOW_MS,
} from './verify.constants.js';

/**
 * Twilio Verify's per-number counters: send attempts (5 per 10 minutes, error 60203) and status
 * fetches (60 a minute, 180 an hour, 250 a day, error 20429). Times are epoch milliseconds.
 */
export class VerifyLimits {
  private readonly sendTimes = new Map<string, number[]>();
  private readonly fetchTimes = new Map<string, number[]>();

  /**
   * Counts a send attempt for `to` at `now`.
   * @throws TwilioApiError 429 60203 when the window's limit is used up (nothing is counted).
   */
  consumeSend(to: string, now: number): void {
    const recent = (this.sendTimes.get(to) ?? []).filter((time) => time > now - SEND_WINDOW_MS);
    if (recent.length >= MAX_SENDS) {
      this.sendTimes.set(to, recent);
      throw maxSendAttempts();
    }
    recent.push(now);
    this.sendTimes.set(to, recent);
  }

  /** Stops counting `to`'s send attempts (Twilio lifts 60203 once a verification ends). */
  liftSends(to: string): void {
    this.sendTimes.delete(to);
  }

  /**
   * Counts a status fetch for `key` (the number) at `now`.
   * @throws TwilioApiError 429 20429 when one of the limits is used up (nothing is counted).
   */
  consumeStatusFetch(key: string, now: number): void {
    const recent = (this.fetchTimes.get(key) ?? []).filter(
      (time) => time > now - STATUS_FETCH_WINDOW_MS,
    );
    const full = STATUS_FETCH_LIMITS.some(
      ({ max, windowMs }) => recent.filter((time) => time > now - windowMs).length >= max,
    );
    this.fetchTimes.set(key, recent);
    if (full) throw tooManyRequests();
    recent.push(now);
  }

  /** Forgets every count. */
  reset(): void {
    this.sendTimes.clear();
    this.fetchTimes.clear();
  }
}
