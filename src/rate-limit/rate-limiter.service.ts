import { Inject, Injectable, Logger } from '@nestjs/common';
import { OtpException } from '../errors/otp.exception.js';
import { OtpErrorCode } from '../errors/otp-error-code.js';
import type { ResolvedOtpOptions } from '../config/resolved-otp-options.interface.js';
import { RESOLVED_OTP_OPTIONS } from '../otp-internal.constants.js';
import type { RateWindow } from './rate-limit-storage.interface.js';

/** Names of the module's limits (see `RateLimitOptions`). */
export type RateRuleName = keyof ResolvedOtpOptions['rateLimit']['rules'];

/** One attempt to count: a rule and who or what it is counted for. */
export type RateSubject = readonly [rule: RateRuleName, subject: string];

/** An attempt that was counted, which can be taken back. */
export interface RateCharge {
  /** Takes the attempt back from the windows named (all when none are named). */
  undo(...rules: RateRuleName[]): Promise<void>;
}

const FREE: RateCharge = { undo: async () => undefined };

/** Client IPs as counted: an IPv6 client by its /64, since one host is given a whole /64. */
export function clientKey(ip: string): string {
  const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (v4) return v4[1];
  if (!ip.includes(':')) return ip;
  const [head, tail = ''] = ip.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = [
    ...left,
    ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'),
    ...right,
  ];
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/**
 * Counts attempts in the configured storage (in memory by default, Redis for several instances)
 * and refuses those over a limit. An attempt is counted in all its windows or, when one is full,
 * in none: a refused attempt costs nothing.
 */
@Injectable()
export class RateLimiterService {
  private readonly logger = new Logger('OtpModule');

  constructor(@Inject(RESOLVED_OTP_OPTIONS) private readonly options: ResolvedOtpOptions) {}

  /**
   * Counts one attempt for every subject whose rule is on; over a limit, counts nothing and
   * throws 429 `TOO_MANY_REQUESTS` with `Retry-After`. A shared storage that cannot be reached
   * throws 503 `SERVICE_UNAVAILABLE` (see `RedisRateLimitStorage`), before anything is sent.
   */
  async consume(subjects: readonly RateSubject[]): Promise<RateCharge> {
    const windows: (RateWindow & { rule: RateRuleName })[] = [];
    for (const [rule, subject] of subjects) {
      const limit = this.options.rateLimit.rules[rule];
      if (limit) windows.push({ rule, key: `${rule}:${subject}`, ...limit });
    }
    if (windows.length === 0) return FREE;
    const { storage } = this.options.rateLimit;
    const verdict = await storage.hit(windows);
    if (!verdict.allowed) {
      this.logger.warn(`Rate limit ${verdict.key.split(':')[0]} reached`);
      throw new OtpException(OtpErrorCode.TOO_MANY_REQUESTS, {
        retryAfterSeconds: Math.max(1, Math.ceil(verdict.retryAfterMs / 1000)),
      });
    }
    return {
      undo: (...rules) =>
        this.settle('take back an attempt', () =>
          storage.undo(
            windows.filter((w) => rules.length === 0 || rules.includes(w.rule)).map((w) => w.key),
            verdict.hitId,
          ),
        ),
    };
  }

  /**
   * Forgets the attempts counted for these subjects (a success ends a run of failures). Never
   * throws: a storage that fails is logged, and the success stands.
   */
  async clear(subjects: readonly RateSubject[]): Promise<void> {
    const keys = subjects
      .filter(([rule]) => this.options.rateLimit.rules[rule])
      .map(([rule, subject]) => `${rule}:${subject}`);
    if (keys.length === 0) return;
    const { storage } = this.options.rateLimit;
    await this.settle('forget attempts', () => storage.clear(keys));
  }

  /**
   * Runs an `undo` or a `clear`, which only ever gives back: its failure must not turn the
   * request's answer into an error, so it is logged (without the keys, which hold phone numbers
   * and emails) and the request goes on.
   */
  private async settle(what: string, call: () => Promise<void>): Promise<void> {
    try {
      await call();
    } catch (error) {
      const name = error instanceof Error ? error.name : typeof error;
      this.logger.warn(`Rate-limit storage could not ${what} (${name}): moving on`);
    }
  }
}
